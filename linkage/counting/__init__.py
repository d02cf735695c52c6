"""The three indicators of Decision 924 (docs/indicators.md): what they read (`facts`), "in force on
a date" (`lifespan`), the counting itself, which reads nothing (`indicators`), the app's cached figures
(`coverage`), what a coverage page shows (`coverage_view`) and its charts (`charts`)."""
