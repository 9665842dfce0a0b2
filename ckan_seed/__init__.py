"""CKAN-side operations: seeding the catalogue and provisioning trainees' CKAN accounts."""
