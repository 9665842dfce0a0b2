#!/bin/sh
# First start of the database container only (official postgres image, /docker-entrypoint-initdb.d):
# CKAN's database and the DataStore's, with the same names and roles as the local stack.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v ckan_pw="$CKAN_DB_PASSWORD" -v ro_pw="$DATASTORE_RO_PASSWORD" <<'SQL'
CREATE ROLE ckan LOGIN PASSWORD :'ckan_pw';
CREATE ROLE datastore_ro LOGIN PASSWORD :'ro_pw';
CREATE DATABASE ckan OWNER ckan ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE ckan_datastore OWNER ckan ENCODING 'UTF8' TEMPLATE template0;
SQL
