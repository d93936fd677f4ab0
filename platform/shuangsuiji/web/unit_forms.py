"""Forms of the organisation-tree page (web/staff/units.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice("department", _l("Department (司局 / 职能部门)")),
            SelectChoice("division", _l("Division (处室)")),
            SelectChoice("enforcement", _l("Comprehensive enforcement division (综合执法处)")),
            SelectChoice("subordinate", _l("Subordinate authority (下级主管部门)"))]


class UnitImportForm(FlaskForm):
    file = FileField(_l("Tree file (CSV or XLSX)"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx"], _l("Upload a .csv or .xlsx file."))])


class UnitForm(FlaskForm):
    code = StringField(_l("Unit code"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Unit name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Unit kind"), choices=kind_choices, validators=[DataRequired()])
    parent = StringField(_l("Parent unit code"), validators=[Optional(), Length(max=64)])


class UnitRemoveForm(FlaskForm):
    code = StringField(_l("Unit code"), validators=[DataRequired(), Length(max=64)])


class SubunitsForm(FlaskForm):
    subunits = BooleanField(_l("An operator of a unit also acts for the units below it"))
