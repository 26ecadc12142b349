using Coinage.Hosting;
using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Elasticsearch;
using Coinage.Hosting.MailDev;
using Coinage.Hosting.Postgres;
using Coinage.Hosting.Prometheus;
using Coinage.Hosting.Redis;

var builder = CoinageApplication.CreateBuilder(args);
var postgres = builder.AddPostgres("postgres").WithDataDirectory("postgres");
var db = postgres.AddDatabase("coinagedb");
var redis = builder.AddRedis("redis");
var search = builder.AddElasticsearch("elasticsearch");
var smtp = builder.AddMailDev("smtp")
    .WithUrl("Inbox", "/");

var api = builder.AddProject<Projects.Coinage_ApiService>("apiservice")
    .WithReference(db).WithReference(redis).WithReference(search).WithReference(smtp)
    .WaitFor(db).WaitFor(redis)
    .WithMigrations("migrate")
    .WithHttpHealthCheck("/health").WithMetricsEndpoint()
    .WithUrl("API reference", "/scalar");

builder.AddProject<Projects.Coinage_Worker>("worker")
    .WithReference(db).WithReference(redis).WithReference(search).WithReference(smtp)
    .WaitFor(api).WaitFor(smtp)
    .WithHttpHealthCheck("/health").WithMetricsEndpoint()
    .WithUrl("Jobs", "/hangfire");

builder.AddProject<Projects.Coinage_Web>("webfrontend")
    .WithReference(api).WaitFor(api)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health").WithMetricsEndpoint()
    .WithUrl("Web front end", "/");

builder.AddPrometheus("prometheus")
    .WithRuleFile("deploy/prometheus/alerts.yml")
    .WithUrl("Prometheus", "/targets");

builder.Build().Run();
