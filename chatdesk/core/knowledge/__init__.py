"""Knowledge bases: the user's documents, indexed, retrieved and cited."""
