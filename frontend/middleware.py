"""The Content-Security-Policy of every page: everything from our own origin,
no inline script, images and media also from data: and blob: URLs (previews)."""

# The one <style> element model-viewer (frontend/static/frontend/vendor, 4.4.0) puts in its
# shadow root; without it the viewer's prompt and buttons fall out of the preview box. A new
# version of the file has a new hash: Chromium's console names it, and tests/browser fails.
MODEL_VIEWER_STYLE = "'sha256-PXtZZkJMMyc18o/DN1ZEFOJ2qEGq95IQbVaJFMOXOb0='"

POLICY = {
    "default-src": "'self'",
    # WebAssembly (not JavaScript eval): model-viewer's bundled meshopt decoder compiles
    # its inline wasm at start-up, so meshopt-compressed models preview too.
    "script-src": "'self' 'wasm-unsafe-eval'",
    "style-src": f"'self' {MODEL_VIEWER_STYLE}",
    "img-src": "'self' data: blob:",
    "media-src": "'self' data: blob:",
    # model-viewer reads the model with fetch() and decodes textures in blob: workers.
    "connect-src": "'self' blob: data:",
    "worker-src": "'self' blob:",
    "font-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# The admin's templates carry style="" attributes; they keep every other rule.
RELAXED_STYLE_PREFIXES = ("/admin/",)
# drf-spectacular's Swagger page boots from an inline script: it sends no policy of ours.
EXEMPT_PREFIXES = ("/api/docs/",)


def policy_for(path: str) -> str:
    directives = dict(POLICY)
    if path.startswith(RELAXED_STYLE_PREFIXES):
        directives["style-src"] = "'self' 'unsafe-inline'"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(EXEMPT_PREFIXES):
            response.headers.setdefault("Content-Security-Policy", policy_for(request.path))
        return response


class ServiceErrorPagesMiddleware:
    """A Forbidden or NotFound raised by a service inside a page becomes the friendly
    403 or 404 page rather than a stack trace. (The API maps them itself.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.views import defaults

        from exchange.errors import Forbidden, NotFound

        if isinstance(exception, Forbidden):
            return defaults.permission_denied(request, exception)
        if isinstance(exception, NotFound):
            return defaults.page_not_found(request, exception)
        return None
