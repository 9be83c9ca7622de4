from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangan.access.choices import IdType, Mode, ReaderKind, ReviewDecision
from dangan.access.models import NOTE_MAX, AccessRequest, Effect, Purpose, Reader, requestable_items
from dangan.accounts.choices import Role
from dangan.catalogue.choices import ControlStatus
from dangan.catalogue.models import Item
from dangan.core.forms import BootstrapMixin


class StyledForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


def apply_model_errors(form, error: ValidationError) -> None:
    """Show a model rule's message on the form: on its field where the form has one, else above it."""
    if hasattr(error, "error_dict"):
        for name, messages in error.error_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error)


class RegistrationForm(StyledForm):
    """A member of the public registers: an account plus the ID details every use is registered with."""

    username = forms.RegexField(
        label=_("用户名"),
        max_length=30,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        help_text=_("字母、数字或 _ . @ + -，登录时使用"),
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices)
    id_number = forms.CharField(label=_("证件号码"), max_length=30)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    organisation = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput, strip=False)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("该用户名已被使用"))
        return username

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        elif data.get("password1"):
            user = get_user_model()(username=data.get("username", ""))
            try:
                password_validation.validate_password(data["password1"], user)
            except ValidationError as e:
                self.add_error("password1", e)
        if not self.errors:
            self.profile = Reader(
                kind=ReaderKind.PUBLIC,
                name=data["name"],
                id_type=data["id_type"],
                id_number=data["id_number"],
                phone=data["phone"],
                organisation=data.get("organisation", ""),
            )
            try:
                self.profile.full_clean(exclude=["user"])
            except ValidationError as e:
                apply_model_errors(self, e)
        return data

    def save(self):
        user_model = get_user_model()
        with transaction.atomic():
            user = user_model(
                username=self.cleaned_data["username"],
                role=Role.READER,
                first_name=self.cleaned_data["name"][:150],
            )
            user.set_password(self.cleaned_data["password1"])
            user.save()
            self.profile.user = user
            self.profile.save()
        return user


class RequestForm(StyledForm):
    items = forms.CharField(label=_("档案"), widget=forms.HiddenInput)
    purpose = forms.ModelChoiceField(label=_("利用目的"), queryset=Purpose.objects.none(), empty_label=None)
    mode = forms.ChoiceField(label=_("利用方式"), choices=Mode.choices)
    note = forms.CharField(
        label=_("说明"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如需证明的事项、查阅的具体内容"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["purpose"].queryset = Purpose.objects.filter(active=True)

    def clean_items(self):
        raw = self.cleaned_data["items"].replace("，", ",")
        try:
            ids = {int(part) for part in raw.split(",") if part.strip()}
        except ValueError:
            raise ValidationError(_("所选档案不存在或您无权申请")) from None
        if not ids or any(not 0 < i < 2**62 for i in ids):
            raise ValidationError(_("所选档案不存在或您无权申请"))
        return ids

    def save(self) -> AccessRequest:
        data = self.cleaned_data
        return AccessRequest.submit(self.user, data["items"], data["purpose"], data["mode"], data["note"])

    def chosen_items(self):
        ids = self.data.get("items", "") if self.is_bound else self.initial.get("items", "")
        wanted = [int(p) for p in str(ids).split(",") if p.strip().isdigit() and len(p.strip()) < 18]
        return requestable_items(self.user).filter(pk__in=wanted) if wanted else Item.objects.none()


def parse_codes(text: str) -> set[str]:
    """档号 one a line, or separated by commas (either width); 1 to 200 of them."""
    codes = {c.strip() for c in text.replace("，", ",").replace(",", "\n").splitlines()}
    codes.discard("")
    if not codes or len(codes) > 200:
        raise ValidationError(_("请填写 1 至 200 个档号"))
    return codes


class ReferenceCodesField(forms.CharField):
    """A textarea of 档号 (see ``parse_codes``) that cleans to the set of codes.

    The text is checked as a ``CharField`` first (required, at most ``max_length`` characters), then parsed.
    """

    def __init__(self, *, max_length=5000, **kwargs):
        kwargs.setdefault("label", _("档号"))
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(max_length=max_length, **kwargs)

    def clean(self, value) -> set[str]:
        text = super().clean(value)
        if text in self.empty_values:
            return set()
        return parse_codes(text)


class InternalRequestForm(RequestForm):
    """Staff and internal readers name items by 档号, one a line (or separated by commas)."""

    items = ReferenceCodesField(help_text=_("每行一个档号"))

    def clean_items(self):
        codes = self.cleaned_data["items"]
        found = dict(
            requestable_items(self.user).filter(reference_code__in=codes).values_list("reference_code", "pk")
        )
        missing = sorted(codes - set(found))
        if missing:
            raise ValidationError(
                _("没有找到这些档号，或您无权申请：%(codes)s") % {"codes": "、".join(missing)[:300]}
            )
        return set(found.values())


class ReasonForm(StyledForm):
    reason = forms.CharField(
        label=_("意见"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LoanForm(StyledForm):
    reference_code = forms.CharField(label=_("档号"), max_length=200)
    borrower = forms.CharField(label=_("借阅人用户名"), max_length=150)
    due_date = forms.DateField(
        label=_("应还日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    request = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**62)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_reference_code(self):
        code = self.cleaned_data["reference_code"].strip()
        item = Item.objects.restrict(self.user).filter(reference_code=code).first()
        if item is None:
            raise ValidationError(_("没有找到档号为“%(code)s”的档案，或您无权办理") % {"code": code[:60]})
        return item

    def clean_borrower(self):
        name = self.cleaned_data["borrower"].strip()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise ValidationError(_("没有找到用户“%(name)s”") % {"name": name[:60]})
        return user

    def clean(self):
        data = super().clean()
        if data.get("request") and data.get("reference_code") and data.get("borrower"):
            # Lending under a granted 借出 request links the loan to it (and so to the statistics' register).
            granted = (
                AccessRequest.objects.restrict(self.user)
                .filter(
                    pk=data["request"],
                    status="granted",
                    mode=Mode.BORROW,
                    requester=data["borrower"],
                    request_items__item=data["reference_code"],
                )
                .first()
            )
            if granted is None:
                raise ValidationError(_("该借出申请不存在、未批准，或不含此档案"))
            data["request"] = granted
        else:
            data["request"] = None
        return data

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        if due and due < timezone.localdate():
            raise ValidationError(_("应还日期不能早于今天"))
        return due


class ReturnForm(StyledForm):
    reference_code = forms.CharField(label=_("档号"), max_length=200)


class EffectForm(forms.ModelForm, BootstrapMixin):
    class Meta:
        model = Effect
        fields = ["summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3, "maxlength": 2000})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()


class CertificateForm(StyledForm):
    item = forms.ModelChoiceField(label=_("档案"), queryset=Item.objects.none(), empty_label=None)
    statement = forms.CharField(
        label=_("证明内容"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例如：兹证明张三于1998年在本单位工作……"),
    )

    def __init__(self, *args, request_obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(pk__in=request_obj.request_items.values("item"))


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(label=_("审核结论"), choices=ReviewDecision.choices)
    reason = forms.CharField(
        label=_("理由"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    defer_years = forms.IntegerField(
        label=_("延期年数"), min_value=1, max_value=50, initial=5, required=False
    )
    list_entry = forms.BooleanField(label=_("延期开放的同时公布目录（公众可申请利用）"), required=False)


class VerifyForm(StyledForm):
    code = forms.CharField(label=_("核验码"), max_length=40)
    file = forms.FileField(
        label=_("证明文件（PDF，可选）"),
        required=False,
        help_text=_("上传您收到的证明文件，核对其是否与出具时完全一致"),
    )


class ListingForm(StyledForm):
    """目录公开 by 档号: controlled items whose catalogue entry the public may then see and ask to use."""

    codes = ReferenceCodesField(
        help_text=_("每行一个档号。公众只能看到这些控制使用档案的档号、题名、责任者和年度，并可申请利用。"),
    )

    def clean_codes(self):
        codes = self.cleaned_data["codes"]
        items = list(Item.objects.filter(reference_code__in=codes, control=ControlStatus.CONTROLLED))
        missing = sorted(codes - {item.reference_code for item in items})
        if missing:
            raise ValidationError(
                _("没有找到这些控制使用的档案：%(codes)s") % {"codes": "、".join(missing)[:300]}
            )
        return items
