"""Pages: thin views that read through selectors and render a template."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .api_licences import verification
from .documents.pdf import agreement_lines


@require_GET
def agreement_page(request, pk):
    """The agreement in Korean and English for its parties (and staff); 404 for anyone else."""
    if not request.user.is_authenticated:
        raise Http404
    agreement = selectors.agreement_get(user=request.user, pk=pk)
    return render(request, "licensing/agreement.html",
                  {"agreement": agreement, "lines": agreement_lines(agreement)})


@require_GET
def verify_page(request, code):
    certificate = selectors.certificate_by_code(code)
    return render(request, "licensing/verify.html", {"licence": verification(certificate)})
