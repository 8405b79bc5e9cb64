"""The production brief: describe a production, get recommended IP with reasons; signed-in
users keep briefs and run them again. Thin doors onto search.briefs and search.recommend."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from exchange.errors import ApplicationError
from search import briefs
from search.inputs import CheckedBriefInput, SavedBriefInput
from search.recommend import Brief, recommend
from search.selectors import SearchUnavailable

from ..forms.briefs import BriefForm
from ..forms.errors import add_service_error

RESULTS = 20


def _recommendations(run) -> dict:
    """{"hits": [...]} from a recommendation, or a notice while the index is missing."""
    try:
        page = run()
    except SearchUnavailable:
        return {"hits": [], "search_unavailable": True}
    return {"hits": page.results, "total": page.count, "ran": True}


def _brief_page(request, form, extra=None, status=200):
    return render(request, "frontend/briefs/brief.html", {"form": form, **(extra or {})},
                  status=status)


@require_http_methods(["GET", "POST"])
def brief(request):
    """Anyone may try a brief (POST runs it, so a long brief never sits in a URL)."""
    if request.method == "GET":
        return _brief_page(request, BriefForm())
    form = BriefForm(request.POST)
    data = form.checked(CheckedBriefInput, with_title=False) if form.is_valid() else None
    if data is None:
        return _brief_page(request, form, status=400)
    try:
        wanted = Brief.from_input({**data, "limit": RESULTS})
    except ApplicationError as error:
        add_service_error(form, error)
        return _brief_page(request, form, status=400)
    return _brief_page(request, form, _recommendations(lambda: recommend(brief=wanted)))


@login_required
@require_POST
def brief_save(request):
    form = BriefForm(request.POST)
    data = form.checked(SavedBriefInput, with_title=True) if form.is_valid() else None
    if data is not None:
        try:
            saved = briefs.saved_brief_create(owner=request.user, data=data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Brief saved. Open it any time from My briefs."))
            return redirect("frontend:brief-detail", pk=saved.pk)
    return _brief_page(request, form, {"save_failed": True}, status=400)


@login_required
def my_briefs(request):
    return render(request, "frontend/briefs/mine.html",
                  {"briefs": briefs.saved_briefs_of(request.user)})


@login_required
def brief_detail(request, pk):
    saved = briefs.saved_brief_get(user=request.user, pk=pk)
    return render(request, "frontend/briefs/detail.html", {
        "brief": saved,
        **_recommendations(lambda: briefs.saved_brief_recommend(brief=saved, limit=RESULTS)),
    })


@login_required
@require_http_methods(["GET", "POST"])
def brief_edit(request, pk):
    saved = briefs.saved_brief_get(user=request.user, pk=pk)
    form = BriefForm(request.POST or None, initial=BriefForm.initial_from(saved))
    status = 200
    if request.method == "POST":
        data = form.checked(SavedBriefInput, with_title=True) if form.is_valid() else None
        if data is not None:
            try:
                briefs.saved_brief_update(actor=request.user, brief=saved, data=data)
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Brief updated."))
                return redirect("frontend:brief-detail", pk=saved.pk)
        status = 400
    return render(request, "frontend/briefs/edit.html", {"brief": saved, "form": form},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def brief_delete(request, pk):
    saved = briefs.saved_brief_get(user=request.user, pk=pk)
    if request.method == "POST":
        briefs.saved_brief_delete(actor=request.user, brief=saved)
        messages.success(request, _("Brief deleted."))
        return redirect("frontend:my-briefs")
    return render(request, "frontend/briefs/delete.html", {"brief": saved})
