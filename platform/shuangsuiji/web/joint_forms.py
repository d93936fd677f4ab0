"""Forms of the joint-task page (web/staff/joint.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from shuangsuiji.web.forms import RecordForm, confirm_field


class ParticipantsForm(FlaskForm):
    lines = TextAreaField(_l("Participants, one a line: UNIT:ITEM[,ITEM…][:QUOTA]"),
                          validators=[DataRequired(), Length(max=4000)])


class AnswerForm(FlaskForm):
    participant = HiddenField(validators=[DataRequired()])
    answer = RadioField(_l("Answer"), choices=[SelectChoice("accept", _l("Takes part")),
                                               SelectChoice("refuse", _l("Refuses"))],
                        validators=[DataRequired()])
    note = StringField(_l("Reason (required for a refusal)"), validators=[Length(max=500)])


class ItemResultForm(FlaskForm):
    credit_code = SelectField(_l("Target"), validators=[DataRequired()])
    item_code = SelectField(_l("Item"), validators=[DataRequired()])
    result = SelectField(_l("Result"), validators=[DataRequired()])
    handling = StringField(_l("Handling opinion (处理意见)"), validators=[Length(max=2000)])
    decided_on = DateField(_l("Decided on"), validators=[Optional()])


class ParticipantPublishForm(FlaskForm):
    participant = HiddenField(validators=[DataRequired()])
    confirm = confirm_field()


class JointRecordForm(RecordForm):
    """A joint task's on-site record: no overall result; each item takes its own result
    (fields ``item_result-<ITEM>`` and ``item_handling-<ITEM>`` beside the form)."""

    result = SelectField(_l("Result"), validators=[Optional()], validate_choice=False)


class GuestPublishForm(FlaskForm):
    """A participant tenant publishes its own items' results (no participant to choose)."""

    confirm = confirm_field()
