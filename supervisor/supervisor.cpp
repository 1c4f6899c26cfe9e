// placeholder until the supervisor lands
