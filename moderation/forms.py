"""Forms of the queue pages: they validate input; views pass the clean values to services."""
from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from comments.fields import MAX_BIGINT, IngestError, date_field, integer_field
from comments.models import Site

from . import policy
from .models import SiteMembership
from .selectors.queue import LABELS, REASONS, TABS, Cursor, QueueFilters


class PlainSelect(forms.Select):
    """A select whose options are written here rather than by one template
    include each: the queue's filter selects cost 5 ms a page that way."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((option["value"], " selected" if option["selected"] else "", option["label"])
             for _, group, _ in widget["optgroups"] for option in group),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


class BoundedDateField(forms.DateField):
    """A date within INPUT_DATE_MIN..INPUT_DATE_MAX (comments.fields), so that
    a day before or after it never reaches date arithmetic or the database."""

    def to_python(self, value):
        day = super().to_python(value)
        try:
            return date_field(day, self.label or "date")
        except IngestError as bad:
            raise forms.ValidationError(f"The date {bad.message}.", code="out_of_range") from None


class IdField(forms.IntegerField):
    """A database id: digits only, at most a bigint."""

    def __init__(self, **kwargs):
        super().__init__(min_value=kwargs.pop("min_value", 1), max_value=MAX_BIGINT, **kwargs)


class QueueFilterForm(forms.Form):
    tab = forms.ChoiceField(choices=list(TABS.items()), required=False)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), to_field_name="slug", required=False,
                                  empty_label="all my sites", widget=PlainSelect)
    article = IdField(required=False, widget=forms.HiddenInput)
    author = IdField(required=False, widget=forms.HiddenInput)
    reason = forms.ChoiceField(choices=[("", "any reason"), *REASONS.items()], required=False, widget=PlainSelect)
    label = forms.ChoiceField(choices=[("", "any label"), *((l, l.replace("_", " ")) for l in LABELS)],
                              required=False, label="score of", widget=PlainSelect)
    min = forms.FloatField(min_value=0, max_value=1, required=False, label="from",
                           widget=forms.NumberInput(attrs={"step": "0.05", "placeholder": "0"}))
    max = forms.FloatField(min_value=0, max_value=1, required=False, label="to",
                           widget=forms.NumberInput(attrs={"step": "0.05", "placeholder": "1"}))
    posted_from = BoundedDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="posted from")
    posted_to = BoundedDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="to")
    q = forms.CharField(max_length=200, required=False, label="search",
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "text or author  ( / )"}))
    after = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites

    @property
    def current_tab(self) -> str:
        return self.cleaned_data.get("tab") or "needs_review"

    def filters(self, site_ids: list[int]) -> QueueFilters:
        data = self.cleaned_data
        site = data.get("site")
        return QueueFilters(
            site_ids=(site.pk,) if site else tuple(site_ids),
            article_id=data.get("article"),
            reason=data.get("reason") or "",
            label=data.get("label") or "",
            score_min=data.get("min"),
            score_max=data.get("max"),
            author_id=data.get("author"),
            posted_from=data.get("posted_from"),
            posted_to=data.get("posted_to"),
            text=(data.get("q") or "").strip(),
        )

    def cursor(self) -> Cursor | None:
        token = self.cleaned_data.get("after")
        return Cursor.decode(token) if token else None


class DecisionForm(forms.Form):
    """One button press: ``approve``, ``escalate`` or ``reject:<reason id>``."""

    decision = forms.CharField(max_length=40)
    version = IdField(min_value=0)
    note = forms.CharField(max_length=2000, required=False)

    def clean_decision(self) -> tuple[str, int | None]:
        action, _, reason = self.cleaned_data["decision"].partition(":")
        if action not in ("approve", "reject", "escalate"):
            raise forms.ValidationError("Unknown decision.")
        if action == "reject":
            try:
                return action, integer_field(reason, "reason", minimum=1, allow_text=True)
            except IngestError:
                raise forms.ValidationError("Choose a rejection reason.") from None
        return action, None


class BulkDecisionForm(forms.Form):
    decision = forms.CharField(max_length=40)
    # "comment id:version seen", one per selected item
    items = forms.CharField(max_length=100_000)

    clean_decision = DecisionForm.clean_decision

    def clean_items(self) -> list[tuple[int, int]]:
        pairs = []
        for token in self.cleaned_data["items"].split(","):
            pk, _, version = token.strip().partition(":")
            try:
                pairs.append((integer_field(pk, "items", minimum=1, allow_text=True),
                              integer_field(version, "items", allow_text=True)))
            except IngestError:
                raise forms.ValidationError("Bad selection.") from None
        if not pairs or len(pairs) > 500:
            raise forms.ValidationError("Select between 1 and 500 items.")
        return pairs


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(choices=[("suspend", "Suspend"), ("ban", "Ban")])
    days = forms.TypedChoiceField(choices=[(d, f"{d} days") for d in (1, 3, 7, 30)], coerce=int, required=False)
    reason = forms.CharField(max_length=500, required=False)


class FeedbackForm(forms.Form):
    """One 'wrong?' button: ``<score id>:<label>:<expected>``, expected 1 (applies) or 0 (does not)."""

    # [0-9], not \d: \d also matches other scripts' digits.
    feedback = forms.RegexField(regex=r"^[0-9]{1,18}:[a-z_]{1,64}:[01]$", max_length=100)

    def clean_feedback(self) -> tuple[int, str, float]:
        score, label, expected = self.cleaned_data["feedback"].split(":")
        return int(score), label, float(expected)


ACTIONS = [("off", "off"), (policy.REVIEW, "review"), (policy.HOLD, "hold")]


class PolicyForm(forms.Form):
    """Thresholds and actions per label, and the word lists."""

    banned_words = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text="one per line; always hold")
    suspect_words = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                    help_text="one per line; flag for review")

    def __init__(self, *args, rules: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.labels = list(rules)
        for label, rule in rules.items():
            self.fields[f"{label}__threshold"] = forms.FloatField(
                min_value=0, max_value=1, initial=rule.get("threshold", 1.0),
                widget=forms.NumberInput(attrs={"step": "0.01"}), label=label.replace("_", " "))
            self.fields[f"{label}__action"] = forms.ChoiceField(choices=ACTIONS, initial=rule.get("action", "off"),
                                                                label="action")

    def rows(self):
        return [(label.replace("_", " "), self[f"{label}__threshold"], self[f"{label}__action"]) for label in self.labels]

    def clean_rules(self) -> dict:
        return {
            label: {"threshold": self.cleaned_data[f"{label}__threshold"], "action": self.cleaned_data[f"{label}__action"]}
            for label in self.labels
        }

    @staticmethod
    def words(text: str) -> list[str]:
        return sorted({line.strip() for line in (text or "").splitlines() if line.strip()}, key=str.lower)


class ReasonForm(forms.Form):
    label = forms.CharField(max_length=200)


class RoleForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=SiteMembership.Role.choices)


class AuditFilterForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.none(), to_field_name="slug", required=False,
                                  empty_label="all my sites", widget=PlainSelect)
    actor = forms.CharField(max_length=150, required=False, label="who")
    action = forms.CharField(max_length=50, required=False, label="what",
                             widget=forms.TextInput(attrs={"placeholder": "decision.reject, settings…"}))
    comment = IdField(required=False, widget=forms.HiddenInput)
    since = BoundedDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="from")
    until = BoundedDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="to")
    before = IdField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
