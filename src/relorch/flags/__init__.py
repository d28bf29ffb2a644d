"""Feature flags with release dates: kept in git per API, rendered as standard flagd files.

Owns `text` (reading YAML/JSON flag files safely), `model` (the frozen flag definitions),
`source` (validating relorch's source format), `flagdfile` (validating plain flagd files passed
through), `logic` (bounds on JsonLogic rules), `requires` (revisions that must be live),
`render` (one environment's flagd file), `load` (finding an API's file in the working tree or
at a commit), `check` and `due` (findings and upcoming switch-ons), `switch` (what a deploy
does to the flags) and `project` (every API's file for the commands). May import: errors,
masking, durations, versions, output, git, config, model, ledger.
"""
