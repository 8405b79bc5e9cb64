from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from exchange.accounts.models import Language

ROLE_CHOICES = [("creator", _("Creator / rights holder")), ("producer", _("Producer / licensee"))]


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=ROLE_CHOICES, required=False, label=_("Roles"), **kwargs)


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    display_name = forms.CharField(label=_("Display name"), max_length=120)
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    preferred_language = forms.ChoiceField(label=_("Preferred language"),
                                           choices=Language.choices, initial=Language.KOREAN)
    roles = RolesField(help_text=_("Choose one or both."))

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "email": data["email"], "password": data["password"],
            "display_name": data["display_name"],
            "preferred_language": data["preferred_language"],
            "is_creator": "creator" in data["roles"], "is_producer": "producer" in data["roles"],
        }


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True,
                                                         "autocomplete": "email"}),
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=120)
    preferred_language = forms.ChoiceField(label=_("Preferred language"),
                                           choices=Language.choices)
    roles = RolesField()

    @classmethod
    def for_user(cls, user, data=None) -> "ProfileForm":
        roles = [name for name, held in (("creator", user.is_creator),
                                         ("producer", user.is_producer)) if held]
        return cls(data, initial={"display_name": user.display_name,
                                  "preferred_language": user.preferred_language,
                                  "roles": roles})

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "display_name": data["display_name"],
            "preferred_language": data["preferred_language"],
            "is_creator": "creator" in data["roles"], "is_producer": "producer" in data["roles"],
        }


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    business_number = forms.CharField(
        label=_("Business registration number"), max_length=20,
        help_text=_("10 digits, e.g. 123-45-67890; the check digit is verified."),
    )
