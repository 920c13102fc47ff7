enum _PlaceholderOrbrecLocal {}
