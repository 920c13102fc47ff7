enum _PlaceholderOrbrecStore {}
