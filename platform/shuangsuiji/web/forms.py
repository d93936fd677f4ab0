"""Forms (Flask-WTF: every form carries a CSRF token). Field names follow the glossary."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (choices are set by the view)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        # WTForms' own message for this case has no Chinese translation
        offered = {str(value) for value, *_ in self.choices or ()}
        refused = [v for v in self.data or () if v not in offered]
        if refused:
            raise ValidationError(_l("Not offered here: %(values)s", values=", ".join(refused)))


class CodesField(CheckboxesField):
    """Checkboxes that also accept the codes typed as one comma-separated value (``on_site,
    testing``), as the form took them before it offered choices."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata([part for value in valuelist
                                  for part in re.split(r"[\s,，、;；]+", str(value)) if part])


def confirm_field() -> BooleanField:
    """The explicit confirmation of a step that cannot be undone (works without JavaScript:
    a POST without the box ticked is refused and the form shown again)."""
    return BooleanField(_l("I have read what this does and confirm it"), validators=[
        DataRequired(message=_l("Tick the confirmation box to go ahead; nothing was done."))])


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=512)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10)])
    repeat = PasswordField(_l("New password again"),
                           validators=[DataRequired(), EqualTo("new")])


class PasswordResetForm(FlaskForm):
    """An administrator sets a new password for someone else's account."""

    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10)])
    repeat = PasswordField(_l("New password again"),
                           validators=[DataRequired(), EqualTo("new")])


class TenantSwitchForm(FlaskForm):
    tenant = SelectField(_l("Jurisdiction"), validators=[DataRequired()], validate_choice=False)


class ActionForm(FlaskForm):
    """A button that changes state and carries nothing but its CSRF token."""


class UploadForm(FlaskForm):
    file = FileField(_l("File (CSV or XLSX)"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file."))])


class ItemForm(FlaskForm):
    """One entry of the item list (the fields of MIIT/CQ Art. 5)."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=300)])
    category = SelectField(_l("Category"), default="general",  # choices: the pack's
                           validators=[DataRequired(), Length(max=32)], validate_choice=False)
    subject = TextAreaField(_l("Targets inspected"), validators=[Optional()])
    content = TextAreaField(_l("Content"), validators=[Optional()])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Optional()])
    methods = CodesField(_l("Methods"), validators=[Optional()])  # choices: the pack's
    frequency = StringField(_l("Frequency"), validators=[Optional(), Length(max=120)])
    cap_permille = IntegerField(_l("Ratio cap (‰)"),
                                validators=[Optional(), NumberRange(0, 1000)])
    batch_order_min_permille = IntegerField(
        _l("High ratio: batch order drawn from (‰)"),
        validators=[Optional(), NumberRange(1, 1000)])
    publication_mode = SelectField(_l("How results are published"), choices=[
        SelectChoice("public", _l("Public")),
        SelectChoice("directed", _l("Directed notification")),
    ], validate_choice=False)
    departments = StringField(_l("Implementing departments (comma-separated)"),
                              validators=[Optional()])
    note = StringField(_l("Reason for the change"), validators=[DataRequired(),
                                                                Length(max=300)])


class PlanForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    scope = TextAreaField(_l("Target scope"), validators=[Optional()])
    inspector_requirements = TextAreaField(_l("Inspector requirements"),
                                           validators=[Optional()])


class TaskForm(FlaskForm):
    plan_year = IntegerField(_l("Annual plan (year)"), validators=[DataRequired()])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    department = StringField(_l("Lead department"), validators=[DataRequired(),
                                                                 Length(max=120)])
    departments = StringField(_l("Other departments of a joint inspection (comma-separated)"),
                              validators=[Optional()])
    division = StringField(_l("Division"), validators=[Optional(), Length(max=120)])
    joint = BooleanField(_l("Joint inspection (several divisions take part)"))
    joint_divisions = StringField(_l("Other divisions taking part (comma-separated)"),
                                  validators=[Optional()])
    item_codes = CheckboxesField(_l("Items"), validators=[DataRequired()])
    methods = CheckboxesField(_l("Methods"), default=["on_site"], validators=[DataRequired()])
    ratio_permille = IntegerField(_l("Ratio (‰)"), validators=[DataRequired(),
                                                               NumberRange(1, 1000)])
    min_count = IntegerField(_l("Minimum number of targets"), default=0,
                             validators=[Optional(), NumberRange(0)])
    group_count = IntegerField(_l("Number of groups"), default=1,
                               validators=[DataRequired(), NumberRange(1, 100)])
    experts_count = IntegerField(_l("Number of experts"), default=0,
                                 validators=[Optional(), NumberRange(0, 100)])
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])
    special = BooleanField(_l("Special inspection (exempt from sampling rules)"))
    special_trigger = StringField(_l("Trigger of the special inspection"),
                                  validators=[Optional(), Length(max=64)])


class DrawForm(FlaskForm):
    seed_source = SelectField(_l("Seed"), choices=[
        SelectChoice("ceremony", _l("Typed in from a public ceremony")),
        SelectChoice("generated", _l("Generated by the platform at draw time")),
    ])
    seed = StringField(_l("Seed as announced"), validators=[Optional(), Length(max=500)])
    witnesses = TextAreaField(_l("Witnesses (one per line)"), validators=[Optional()])
    pool_digest = HiddenField(validators=[DataRequired()])
    beacon_signature = StringField(_l("Beacon round signature (pasted where there is no "
                                      "internet; empty: fetched)"),
                                   validators=[Optional(), Length(max=200)])
    confirm = confirm_field()


class AnnounceForm(FlaskForm):
    """The draw announcement (抽取公告): how the seed will be made, declared conflicts."""

    procedure = SelectField(_l("Seed procedure"), choices=[
        SelectChoice("commit_reveal+beacon", _l("Commit–reveal by the parties and a drand "
                                                "beacon round (strongest)")),
        SelectChoice("beacon", _l("A drand beacon round named now")),
        SelectChoice("commit_reveal", _l("Commit–reveal by the parties")),
        SelectChoice("ceremony", _l("Typed in from a public ceremony (weaker)")),
        SelectChoice("generated", _l("Generated by the platform (weaker)")),
    ])
    parties = TextAreaField(_l("Parties of commit–reveal (one per line: the department and "
                               "at least one outside witness)"), validators=[Optional()])
    beacon_after_minutes = IntegerField(_l("Beacon round: minutes from now"), default=10,
                                        validators=[Optional(), NumberRange(0, 10080)])
    # the declared conflicts: rows of a picker (web/staff/conflicts.py), not a field here


class CommitForm(FlaskForm):
    party = SelectField(_l("Party"), validators=[DataRequired()])
    commitment = StringField(_l("Commitment: SHA-256 of the secret (64 hex digits), computed "
                                "on the party's own device"),
                             validators=[DataRequired(), Length(min=64, max=64)])


class RevealForm(FlaskForm):
    party = SelectField(_l("Party"), validators=[DataRequired()])
    secret = StringField(_l("Secret"), validators=[DataRequired(), Length(max=500)])


class RecusalForm(FlaskForm):
    # choices are the draw's current inspectors and experts, and its targets (set by the view)
    person_id = SelectField(_l("Inspector or expert"), validators=[DataRequired()])
    credit_code = SelectField(_l("Target"), validators=[DataRequired()])
    mode = SelectField(_l("Recusal mode"), choices=[
        SelectChoice("withdraw", _l("Withdraw (a replacement is drawn)")),
        SelectChoice("swap", _l("Swap targets with another inspector")),
    ])
    reason = TextAreaField(_l("Conflict of interest"), validators=[DataRequired()])


class VoidForm(FlaskForm):
    reason = TextAreaField(_l("Reason for voiding"), validators=[DataRequired(),
                                                                 Length(min=4)])
    confirm = confirm_field()


class RecordForm(FlaskForm):
    credit_code = SelectField(_l("Target"), validators=[DataRequired()], validate_choice=False)
    method = SelectField(_l("Method"), validators=[DataRequired()], validate_choice=False)
    inspected_on = DateField(_l("Inspected on"), validators=[DataRequired()])
    inspectors = StringField(_l("Inspectors present (codes, comma-separated)"),
                             validators=[DataRequired()])
    credential = SelectField(_l("Credential shown"), choices=[
        SelectChoice("enforcement_certificate", _l("Enforcement certificate")),
        SelectChoice("work_id", _l("Work ID")),
    ])
    findings = TextAreaField(_l("Findings"), validators=[DataRequired()])
    acknowledgement = SelectField(_l("Acknowledged by the target"), choices=[
        SelectChoice("signature", _l("Signature")),
        SelectChoice("seal", _l("Seal")),
        SelectChoice("refused", _l("Refused to sign")),
    ])
    refusal_reason = StringField(_l("Why the target refused"), validators=[Optional()])
    inspectors_signed = BooleanField(_l("The inspectors signed the record"))
    witness = StringField(_l("Witness"), validators=[Optional(), Length(max=120)])
    result = SelectField(_l("Result"), validators=[DataRequired()], validate_choice=False)
    handling = TextAreaField(_l("Handling opinion"), validators=[Optional()])


class EndWorkForm(FlaskForm):
    ended_on = DateField(_l("Work ended on"), validators=[DataRequired()])
    confirm_missing = TextAreaField(_l("Targets left without an on-site record (credit codes)"),
                                    validators=[Optional()])
    confirm = confirm_field()


class CreditPublicityForm(FlaskForm):
    """Hand over to, or confirm publication on, the credit publicity system."""

    published_on = DateField(_l("Published there on"), validators=[Optional()])


class PublicationForm(FlaskForm):
    directed_to = StringField(_l("Departments receiving a directed notification "
                                 "(comma-separated; default: the items' own)"),
                              validators=[Optional()])
    confirm = confirm_field()


class ApproveItemListForm(FlaskForm):
    """Record the leadership's approval of a draft item-list version (MIIT 第五条, CQ 第四条)."""

    approver = StringField(_l("Approved by"), validators=[DataRequired(), Length(max=120)])
    approved_on = DateField(_l("Date of approval"), validators=[DataRequired()])
    document = StringField(_l("Document number of the approval"),
                           validators=[DataRequired(), Length(max=120)])


class PublishItemListForm(FlaskForm):
    """Publish an approved item-list version."""


class RetireForm(FlaskForm):
    """Take an item off the item list (a new list version)."""

    note = StringField(_l("Reason for retiring the item"),
                       validators=[DataRequired(), Length(max=300)])


class PeriodForm(FlaskForm):
    """A testing, inspection or appraisal period (检验、检测、鉴定) of a task or one target."""

    kind = SelectField(_l("Kind"), choices=[
        SelectChoice("testing", _l("Testing")),
        SelectChoice("inspection", _l("Inspection (检验)")),
        SelectChoice("appraisal", _l("Appraisal")),
    ], validate_choice=False)
    credit_code = SelectField(_l("Target (empty: the whole task)"), validate_choice=False)
    starts_on = DateField(_l("From"), validators=[DataRequired()])
    ends_on = DateField(_l("To"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class RectificationForm(FlaskForm):
    """Order a target to rectify (整改) what the inspection found."""

    credit_code = SelectField(_l("Target"), validators=[DataRequired()], validate_choice=False)
    requirement = TextAreaField(_l("What must be rectified"), validators=[DataRequired()])
    due_on = DateField(_l("Rectify by"), validators=[DataRequired()])


class FollowUpForm(FlaskForm):
    """The follow-up inspection (复查) of a rectification."""

    on = DateField(_l("Followed up on"), validators=[DataRequired()])
    findings = TextAreaField(_l("What the follow-up found"), validators=[DataRequired()])
    rectified = BooleanField(_l("The problem was rectified"))


class CloseForm(FlaskForm):
    on = DateField(_l("Closed on"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class TransferForm(FlaskForm):
    """A case handed on to another authority (移送)."""

    credit_code = SelectField(_l("Target"), validators=[DataRequired()], validate_choice=False)
    authority = StringField(_l("Receiving authority"), validators=[DataRequired(),
                                                                   Length(max=200)])
    reason = TextAreaField(_l("Reason for the transfer"), validators=[DataRequired()])
    on = DateField(_l("Transferred on"), validators=[DataRequired()])
    reference = StringField(_l("Reference number"), validators=[Optional(), Length(max=120)])


class CalendarForm(FlaskForm):
    file = FileField(_l("Holiday notice (CSV or TOML)"), validators=[
        FileRequired(), FileAllowed(["csv", "toml"], _l("Upload a .csv or .toml file."))])
    source = StringField(_l("Source (e.g. the State Council notice number)"),
                         validators=[Optional(), Length(max=200)])


def role_choices(*, central: bool) -> list[SelectChoice]:
    """The roles an administrator may give (the central admin also central admin)."""
    roles = [SelectChoice("tenant_admin", _l("Jurisdiction administrator")),
             SelectChoice("operator", _l("Department operator")),
             SelectChoice("viewer", _l("Department viewer")),
             SelectChoice("inspector", _l("Inspector"))]
    if central:
        roles.insert(0, SelectChoice("central_admin", _l("Central administrator")))
    return roles


class UserForm(FlaskForm):
    """A new account with its first role."""

    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(),
                                                                 Length(max=512)])
    role = SelectField(_l("Role"), validate_choice=False)
    tenant = SelectField(_l("Jurisdiction"), validate_choice=False)
    department = StringField(_l("Department (empty: all departments)"),
                             validators=[Optional(), Length(max=120)])
    inspector_code = StringField(_l("Inspector code (for an inspector account)"),
                                 validators=[Optional(), Length(max=64)])


class GrantForm(FlaskForm):
    """Another role for an existing account."""

    role = SelectField(_l("Role"), validate_choice=False)
    tenant = SelectField(_l("Jurisdiction"), validate_choice=False)
    department = StringField(_l("Department (empty: all departments)"),
                             validators=[Optional(), Length(max=120)])
    inspector_code = StringField(_l("Inspector code (for an inspector account)"),
                                 validators=[Optional(), Length(max=64)])


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[Optional(), Length(max=120)])


class RevokeForm(FlaskForm):
    prefix = HiddenField(validators=[DataRequired(), Length(max=16)])
