enum _PlaceholderOrbrecTestSupport {}
