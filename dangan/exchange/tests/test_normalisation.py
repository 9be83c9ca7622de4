import datetime

import pytest

from dangan.catalogue.models import Retention
from dangan.exchange import normalise
from dangan.exchange.columns import detect


@pytest.mark.parametrize(
    "written",
    [
        "20230501",
        "2023-05-01",
        "2023.5.1",
        "2023年5月1日",
        "2023/5/1",
        "２０２３年５月１日",
        " 2023 - 5 - 1 ",
    ],
)
def test_dates_as_archivists_write_them_are_read(written):
    assert normalise.date(written) == datetime.date(2023, 5, 1)


@pytest.mark.parametrize("written", ["20230230", "2023-13-01", "2023年2月29日"])
def test_an_impossible_date_is_an_error_not_a_guess(written):
    with pytest.raises(normalise.Invalid, match="日期不存在"):
        normalise.date(written)


def test_an_unreadable_date_says_how_to_write_it():
    with pytest.raises(normalise.Invalid, match="20230501"):
        normalise.date("五月一日")


@pytest.mark.parametrize(
    "written",
    [
        "区府发[2023]12号",
        "区府发【2023】12号",
        "区府发〔2023〕12号",
        "区府发（2023）12号",
        "区府发［２０２３］１２号",
    ],
)
def test_document_number_brackets_become_one_form(written):
    assert normalise.document_number(written) == "区府发〔2023〕12号"


def test_full_width_digits_and_letters_become_half_width_but_chinese_punctuation_stays():
    assert normalise.description("关于ＡＢＣ１２３项目，（二期）") == "关于ABC123项目，（二期）"
    assert normalise.org_code("ｂｇｓ") == "BGS"
    assert (
        normalise.reference_code("Ａ００１－ＷＳ・２０２３－Ｙ－ＢＧＳ－０００１")
        == "A001-WS·2023-Y-BGS-0001"
    )


def test_page_counts_are_whole_numbers():
    assert normalise.whole_number("１２") == 12
    assert normalise.whole_number("12页") == 12
    assert normalise.whole_number(12.0) == 12
    with pytest.raises(normalise.Invalid):
        normalise.whole_number("十二")


@pytest.mark.django_db
def test_retention_written_any_usual_way_maps_and_legacy_names_its_replacement():
    retentions = normalise.Retentions(Retention.objects.select_related("replaced_by"))
    assert retentions.clean("永久")[0].code == "Y"
    assert retentions.clean("30年")[0].code == "D30"
    assert retentions.clean("d30")[0].code == "D30"
    assert retentions.clean("定期10年")[0].code == "D10"
    new, old = retentions.clean("长期")
    assert (new.code, old.code) == ("D30", "CQ")
    new, old = retentions.clean("短期")
    assert (new.code, old.code) == ("D10", "DQ")
    with pytest.raises(normalise.Invalid):
        retentions.clean("一百年")


@pytest.mark.django_db
def test_chinese_headers_and_their_synonyms_are_recognised_and_unknown_ones_reported(world):
    headers = [
        "序号",
        "档号",
        "发文字号",
        "责任者",
        "文件题名",
        "成文日期",
        "页数",
        "密级",
        "保管期限",
        "机构（问题）",
        "年度",
        "件号",
        "备注",
        "经办人",
    ]
    mapping, unknown = detect(headers, world.category)
    assert mapping[2] == "document_number" and mapping[4] == "title" and mapping[5] == "date"
    assert mapping[9] == "org_code" and mapping[10] == "year" and mapping[11] == "number"
    assert unknown == [13]


def test_a_full_width_space_inside_a_title_becomes_a_plain_space():
    assert normalise.description("\u3000关于２０２３年\u3000工作的通知\u3000") == "关于2023年 工作的通知"
