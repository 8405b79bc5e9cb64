"""Small forms for the pages. They collect and type what was typed; the services
and listings.inputs.ListingInput decide what is valid, and their errors are put
back on the named field (frontend.forms.errors)."""
