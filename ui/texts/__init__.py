"""Page-specific UI text: each module here defines `TEXT = {key: (Chinese, English)}`,
merged into ui.i18n's table (a key may be defined only once across all of them)."""
