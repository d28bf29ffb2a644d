"""What relorch reads back to people: the status table and the static status site.

Owns `status` (the `relorch status` rows), the site's `model`, `build` (one repository's
report from its tags, ledger, policy and flag files), `ledgerview`, `flagview` (flag
switch-ons coming up and on the timeline), `sources` (reading a clone, or a remote through a
shallow cache), `fleet`, and the renderers `html` (Jinja templates shipped in `templates/`,
autoescaped), `timeline`, `jsonout`, `ics`, `markdown`, `site` (the files).
May import: errors, masking, documents, versions, git, config, model, ledger, policy, flags.
"""
