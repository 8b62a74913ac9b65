"""Athena's JSON 1.1 operations (`X-Amz-Target: AmazonAthena.<Operation>`) over the
platform's query engine, plus the catalog reads (ListDatabases, GetTableMetadata…) that
drivers such as PyAthena use for metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulation.endpoint.protocol import AwsServiceError, Body, Handler, paged, required
from lakehouse.errors import EntityNotFoundException

if TYPE_CHECKING:
    from lakehouse.platform import Platform

DATA_CATALOG = "AwsDataCatalog"


class AthenaApi:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.operations: dict[str, Handler] = {
            "StartQueryExecution": self.start_query_execution, "GetQueryExecution": self.get_query_execution,
            "GetQueryResults": self.get_query_results, "StopQueryExecution": self.stop_query_execution,
            "ListQueryExecutions": self.list_query_executions,
            "BatchGetQueryExecution": self.batch_get_query_execution,
            "CreateWorkGroup": self.create_work_group, "GetWorkGroup": self.get_work_group,
            "ListWorkGroups": self.list_work_groups, "CreateNamedQuery": self.create_named_query,
            "GetNamedQuery": self.get_named_query, "ListNamedQueries": self.list_named_queries,
            "BatchGetNamedQuery": self.batch_get_named_query, "DeleteWorkGroup": self.delete_work_group,
            "DeleteNamedQuery": self.delete_named_query,
            "ListDataCatalogs": self.list_data_catalogs, "GetDataCatalog": self.get_data_catalog,
            "ListDatabases": self.list_databases, "GetDatabase": self.get_database,
            "ListTableMetadata": self.list_table_metadata, "GetTableMetadata": self.get_table_metadata,
        }

    @property
    def engine(self):  # type: ignore[no-untyped-def]
        return self.platform.engine

    def start_query_execution(self, body: Body) -> Body:
        query_id = self.engine.start_query_execution(
            required(body, "QueryString"), body.get("QueryExecutionContext"), body.get("ResultConfiguration"),
            body.get("WorkGroup") or "primary", body.get("ClientRequestToken"), body.get("ExecutionParameters"),
        )
        return {"QueryExecutionId": query_id}

    def get_query_execution(self, body: Body) -> Body:
        return self.engine.get_query_execution(required(body, "QueryExecutionId"))

    def get_query_results(self, body: Body) -> Body:
        return self.engine.get_query_results(required(body, "QueryExecutionId"), body.get("NextToken"),
                                             int(body.get("MaxResults") or 1000))

    def stop_query_execution(self, body: Body) -> Body:
        return self.engine.stop_query_execution(required(body, "QueryExecutionId"))

    def list_query_executions(self, body: Body) -> Body:
        return self.engine.list_query_executions(body.get("WorkGroup"), body.get("NextToken"),
                                                 int(body.get("MaxResults") or 50))

    def batch_get_query_execution(self, body: Body) -> Body:
        return self.engine.batch_get_query_execution(required(body, "QueryExecutionIds"))

    def create_work_group(self, body: Body) -> Body:
        self.engine.create_work_group(required(body, "Name"), body.get("Configuration"), body.get("Description", ""),
                                      body.get("Tags"))
        return {}

    def get_work_group(self, body: Body) -> Body:
        return self.engine.get_work_group(required(body, "WorkGroup"))

    def list_work_groups(self, body: Body) -> Body:
        return self.engine.list_work_groups()

    def delete_work_group(self, body: Body) -> Body:
        self.engine.delete_work_group(required(body, "WorkGroup"), bool(body.get("RecursiveDeleteOption")))
        return {}

    def delete_named_query(self, body: Body) -> Body:
        self.engine.delete_named_query(required(body, "NamedQueryId"))
        return {}

    def create_named_query(self, body: Body) -> Body:
        named_query_id = self.engine.create_named_query(
            required(body, "Name"), required(body, "QueryString"), required(body, "Database"),
            body.get("Description", ""), body.get("ClientRequestToken"), body.get("WorkGroup") or "primary")
        return {"NamedQueryId": named_query_id}

    def get_named_query(self, body: Body) -> Body:
        return self.engine.get_named_query(required(body, "NamedQueryId"))

    def list_named_queries(self, body: Body) -> Body:
        return self.engine.list_named_queries(body.get("WorkGroup"), body.get("NextToken"),
                                              int(body.get("MaxResults") or 50))

    def batch_get_named_query(self, body: Body) -> Body:
        return self.engine.batch_get_named_query(required(body, "NamedQueryIds"))

    # the catalog as Athena shows it -------------------------------------------------
    def list_data_catalogs(self, body: Body) -> Body:
        return {"DataCatalogsSummary": [{"CatalogName": DATA_CATALOG, "Type": "GLUE"}]}

    def get_data_catalog(self, body: Body) -> Body:
        _catalog(body)
        return {"DataCatalog": {"Name": DATA_CATALOG, "Type": "GLUE", "Parameters": {"catalog-id": "000000000000"}}}

    def list_databases(self, body: Body) -> Body:
        _catalog(body)
        databases = [_athena_database(database) for database in self.platform.catalog.get_databases()]
        return paged(databases, body, "DatabaseList", default_page=50)

    def get_database(self, body: Body) -> Body:
        _catalog(body)
        return {"Database": _athena_database(self.platform.catalog.get_database(required(body, "DatabaseName")))}

    def list_table_metadata(self, body: Body) -> Body:
        _catalog(body)
        tables = [_table_metadata(table) for table in self.platform.catalog.get_tables(required(body, "DatabaseName"))]
        return paged(tables, body, "TableMetadataList", default_page=50)

    def get_table_metadata(self, body: Body) -> Body:
        _catalog(body)
        try:
            table = self.platform.catalog.get_table(required(body, "DatabaseName"), required(body, "TableName"))
        except EntityNotFoundException as error:
            raise AwsServiceError("MetadataException", str(error)) from None
        return {"TableMetadata": _table_metadata(table)}


def _catalog(body: Body) -> None:
    name = required(body, "CatalogName")
    if name != DATA_CATALOG:
        raise AwsServiceError("MetadataException", f"data catalog {name} not found (only {DATA_CATALOG})")


def _athena_database(database: Body) -> Body:
    return {"Name": database["Name"], "Description": database.get("Description", ""),
            "Parameters": database.get("Parameters", {})}


def _table_metadata(table: Body) -> Body:
    descriptor = table.get("StorageDescriptor", {})
    metadata: Body = {
        "Name": table["Name"], "TableType": table.get("TableType", "EXTERNAL_TABLE"),
        "Columns": [{"Name": c["Name"], "Type": c["Type"]} for c in descriptor.get("Columns", [])],
        "PartitionKeys": [{"Name": c["Name"], "Type": c["Type"]} for c in table.get("PartitionKeys", [])],
        "Parameters": table.get("Parameters", {}),
    }
    if table.get("CreateTime") is not None:
        metadata["CreateTime"] = table["CreateTime"]
    return metadata
