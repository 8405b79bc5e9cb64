"""Sign-up, sign-in, sign-out and the profile: each form calls one accounts service."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import activate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from exchange.accounts import services
from exchange.accounts.validators import format_business_number
from exchange.errors import ApplicationError

from ..forms.accounts import OrganisationForm, ProfileForm, SignInForm, SignUpForm
from ..forms.errors import add_service_error
from .common import remember_language

ROLE_ALIASES = {"is_creator": "roles", "is_producer": "roles"}


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("frontend:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_signup(**form.service_arguments())
        except ApplicationError as error:
            add_service_error(form, error, aliases=ROLE_ALIASES)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            activate(user.preferred_language)
            messages.success(request, _("Welcome! Your account is ready."))
            response = redirect("frontend:home")
            remember_language(response, user.preferred_language)
            return response
    return render(request, "frontend/accounts/sign_up.html", {"form": form})


class SignInView(auth_views.LoginView):
    template_name = "frontend/accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().preferred_language
        remember_language(response, language)
        activate(language)
        return response


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""

    template_name = "frontend/accounts/signed_out.html"


password_reset_views = {
    "request": auth_views.PasswordResetView.as_view(
        template_name="frontend/accounts/password_reset.html",
        email_template_name="frontend/accounts/password_reset_email.txt",
        subject_template_name="frontend/accounts/password_reset_subject.txt",
        success_url=reverse_lazy("frontend:password-reset-done"),
    ),
    "done": auth_views.PasswordResetDoneView.as_view(
        template_name="frontend/accounts/password_reset_done.html",
    ),
    "confirm": auth_views.PasswordResetConfirmView.as_view(
        template_name="frontend/accounts/password_reset_confirm.html",
        success_url=reverse_lazy("frontend:password-reset-complete"),
    ),
    "complete": auth_views.PasswordResetCompleteView.as_view(
        template_name="frontend/accounts/password_reset_complete.html",
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    profile_form = ProfileForm.for_user(user)
    organisation_form = OrganisationForm(prefix="org")
    if request.method == "POST" and request.POST.get("form") == "organisation":
        organisation_form = OrganisationForm(request.POST, prefix="org")
        if organisation_form.is_valid():
            try:
                services.organisation_join_or_create(user=user, **organisation_form.cleaned_data)
            except ApplicationError as error:
                add_service_error(organisation_form, error)
            else:
                messages.success(request, _("Your organisation is saved."))
                return redirect("frontend:profile")
    elif request.method == "POST":
        profile_form = ProfileForm.for_user(user, data=request.POST)
        if profile_form.is_valid():
            try:
                services.user_update_profile(user=user, **profile_form.service_arguments())
            except ApplicationError as error:
                add_service_error(profile_form, error, aliases=ROLE_ALIASES)
            else:
                activate(user.preferred_language)
                messages.success(request, _("Your profile is saved."))
                response = redirect("frontend:profile")
                remember_language(response, user.preferred_language)
                return response
    organisation = user.organisation
    return render(request, "frontend/accounts/profile.html", {
        "profile_form": profile_form,
        "organisation_form": organisation_form,
        "organisation": organisation,
        "organisation_number": format_business_number(organisation.business_number)
        if organisation else "",
    })
