"""The 档号 textarea shared by internal requests and 目录公开 (``ReferenceCodesField``)."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from dangan.access.forms import InternalRequestForm, ListingForm, ReferenceCodesField
from dangan.access.testing import make_controlled, purpose
from dangan.testing import make_item

TOO_MANY_OR_NONE = "请填写 1 至 200 个档号"


def test_codes_one_a_line_or_between_commas_of_either_width_clean_to_a_set():
    field = ReferenceCodesField()
    assert field.clean(" A-1 \nA-2，A-3, A-1\n\n") == {"A-1", "A-2", "A-3"}
    assert field.clean("\n".join(f"C{n}" for n in range(200))) == {f"C{n}" for n in range(200)}


@pytest.mark.parametrize("text", [",，\n", "\n".join(f"C{n}" for n in range(201))])
def test_none_or_more_than_two_hundred_codes_are_refused(text):
    with pytest.raises(ValidationError) as caught:
        ReferenceCodesField().clean(text)
    assert caught.value.messages == [TOO_MANY_OR_NONE]


def test_the_text_is_checked_as_text_before_it_is_parsed():
    field = ReferenceCodesField()
    with pytest.raises(ValidationError) as caught:
        field.clean("  \n ")
    assert caught.value.messages == [str(field.error_messages["required"])]
    with pytest.raises(ValidationError) as caught:
        field.clean("A" * 5001)
    assert [e.code for e in caught.value.error_list] == ["max_length"]
    assert ReferenceCodesField(required=False).clean("") == set()


@pytest.mark.parametrize("form_class, name", [(InternalRequestForm, "items"), (ListingForm, "codes")])
def test_both_forms_use_it_as_a_three_row_textarea_labelled_dang_hao(form_class, name):
    field = form_class(**({"user": None} if form_class is InternalRequestForm else {})).fields[name]
    assert isinstance(field, ReferenceCodesField) and isinstance(field.widget, forms.Textarea)
    assert field.label == "档号" and field.max_length == 5000
    assert field.widget.attrs["rows"] == 3 and field.widget.attrs["maxlength"] == "5000"


@pytest.mark.django_db
def test_an_internal_request_names_the_codes_it_cannot_find_and_otherwise_cleans_to_item_ids(world):
    own, other = make_controlled(world.fonds_a), make_controlled(world.fonds_b)
    data = {"purpose": purpose("工作查考").pk, "mode": "onsite", "note": ""}
    form = InternalRequestForm(
        {**data, "items": f"{own.reference_code}，{other.reference_code}"}, user=world.archivist_a
    )
    assert not form.is_valid() and other.reference_code in form.errors["items"][0]
    assert own.reference_code not in form.errors["items"][0]
    form = InternalRequestForm({**data, "items": ",，"}, user=world.archivist_a)
    assert not form.is_valid() and form.errors["items"] == [TOO_MANY_OR_NONE]
    form = InternalRequestForm(
        {**data, "items": f"{own.reference_code}\n{own.reference_code}"}, user=world.archivist_a
    )
    assert form.is_valid() and form.cleaned_data["items"] == {own.pk}


@pytest.mark.django_db
def test_a_listing_takes_controlled_items_only_and_otherwise_cleans_to_the_items(world):
    controlled, open_item = make_controlled(world.fonds_a), make_item(world.fonds_a)
    form = ListingForm({"codes": f"{controlled.reference_code}\n{open_item.reference_code}"})
    assert not form.is_valid()
    assert form.errors["codes"] == [f"没有找到这些控制使用的档案：{open_item.reference_code}"]
    form = ListingForm({"codes": "\n".join(f"C{n}" for n in range(201))})
    assert not form.is_valid() and form.errors["codes"] == [TOO_MANY_OR_NONE]
    form = ListingForm({"codes": controlled.reference_code})
    assert form.is_valid() and form.cleaned_data["codes"] == [controlled]
