"""Meeting briefings (DESIGN §6 "Meeting"): the current view — scope, period, as-of —
as a PDF and a PPTX, with the same data_access figures the pages show.

    briefing = content.build(scope, period, scope_name, lang)
    pdf_document.pdf_bytes(briefing), slides.pptx_bytes(briefing)
"""
