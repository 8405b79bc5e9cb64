"""Reports of infringement or abuse, as the reporter sees them: the form on a listing and
"My reports" with each resolution. Moderators' pages are in frontend.views.moderation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from exchange.errors import ApplicationError
from listings import selectors, services

from ..forms.errors import add_service_error
from ..forms.reports import ReportForm


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request, pk):
    listing = selectors.listing_get(user=request.user, pk=pk)
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.report_file(reporter=request.user, listing=listing,
                                     **form.cleaned_data)
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Thank you. Moderators will review your report; "
                                            "you can follow it under My reports."))
                return redirect("frontend:my-reports")
        status = 400
    return render(request, "frontend/reports/report_form.html", {
        "listing": listing,
        "form": form,
        "is_owner": listing.owner_id == request.user.pk,
        "open_report": selectors.open_report_of(user=request.user, listing=listing),
    }, status=status)


@login_required
@require_GET
def my_reports(request):
    return render(request, "frontend/reports/mine.html",
                  {"reports": selectors.reports_filed_by(request.user)})
