enum _PlaceholderOrbrecEngine {}
