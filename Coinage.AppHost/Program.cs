using Coinage.Hosting;
using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Elasticsearch;
using Coinage.Hosting.MailDev;
using Coinage.Hosting.Postgres;
using Coinage.Hosting.Prometheus;
using Coinage.Hosting.Redis;
using Microsoft.Extensions.Configuration;

var builder = CoinageApplication.CreateBuilder(args);
var postgres = builder.AddPostgres("postgres").WithDataDirectory("postgres");
var db = postgres.AddDatabase("coinagedb");
var redis = builder.AddRedis("redis");
var search = builder.AddElasticsearch("elasticsearch");
var smtp = builder.AddMailDev("smtp")
    .WithUrl("Inbox", "/");

// Identity secrets: generated on the first run and kept in .coinage/secrets.json (see README).
var jwtKey = builder.AddParameter("jwt-signing-key", secret: true);
var adminPassword = builder.AddParameter("admin-password", secret: true);
var redactionKey = builder.AddParameter("log-redaction-key", secret: true);
// Development users (alice, bob, the market maker): seeded by the API in Development only (README).
var traderPassword = builder.AddParameter("trader-password", secret: true);
var marketMakerPassword = builder.AddParameter("market-maker-password", secret: true);

var api = builder.AddProject<Projects.Coinage_ApiService>("apiservice")
    .WithReference(db).WithReference(redis).WithReference(search).WithReference(smtp)
    .WaitFor(db).WaitFor(redis)
    .WithMigrations("migrate")
    .WithHttpHealthCheck("/health").WithMetricsEndpoint()
    .WithUrl("API reference", "/scalar")
    .WithEnvironment("Coinage__Jwt__SigningKey", jwtKey)
    .WithEnvironment("Coinage__Admin__Email", "admin@coinage.local")
    .WithEnvironment("Coinage__Admin__Password", adminPassword)
    .WithEnvironment("Coinage__Redaction__HmacKey", redactionKey)
    .WithEnvironment("Coinage__DevelopmentUsers__TraderPassword", traderPassword)
    .WithEnvironment("Coinage__DevelopmentUsers__MarketMakerPassword", marketMakerPassword);

var worker = builder.AddProject<Projects.Coinage_Worker>("worker")
    .WithReference(db).WithReference(redis).WithReference(search).WithReference(smtp)
    .WaitFor(api).WaitFor(smtp)
    .WithHttpHealthCheck("/health").WithMetricsEndpoint()
    .WithUrl("Jobs", "/hangfire")
    .WithEnvironment("Coinage__Jwt__SigningKey", jwtKey).WithEnvironment("Coinage__Redaction__HmacKey", redactionKey);

// The market maker trades through the public API as market-maker@coinage.local (Development only);
// `--Coinage:MarketMaker:Enabled=false` keeps the book quiet (end-to-end tests).
worker.WithReference(api)
    .WithEnvironment("Coinage__MarketMaker__Email", "market-maker@coinage.local")
    .WithEnvironment("Coinage__MarketMaker__Password", marketMakerPassword);
if (builder.Configuration["Coinage:MarketMaker:Enabled"] is { Length: > 0 } marketMakerEnabled)
{
    worker.WithEnvironment("Coinage__MarketMaker__Enabled", marketMakerEnabled);
}

var web = builder.AddProject<Projects.Coinage_Web>("webfrontend")
    .WithReference(api).WaitFor(api)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health").WithMetricsEndpoint()
    .WithUrl("Web front end", "/")
    .WithEnvironment("Coinage__Redaction__HmacKey", redactionKey);

// The web front end is the one proxy whose X-Forwarded-For the API believes: rate limits and the audit log see each
// browser's address, and nobody else can pick one. Locally it runs on loopback; a deployment names its own networks
// (docs/deploy.md, Coinage:ForwardedHeaders), so loopback is not published.
if (builder.ExecutionContext.IsRunMode)
{
    api.WithEnvironment("Coinage__ForwardedHeaders__KnownProxies", "127.0.0.1,::1");
}

// Links in emails (built by the Worker) and CORS/redirects (API) point at the web front end.
api.WithEnvironment("Coinage__WebBaseUrl", web);
worker.WithEnvironment("Coinage__WebBaseUrl", web);
// The Hangfire tickets the API issues point at the Worker's dashboard.
api.WithEnvironment("Coinage__Hangfire__BaseUrl", worker);

// The end-to-end load benchmark (--Coinage:Benchmark=true, docs/performance.md): its traders all come from one
// address and each sends thousands of orders a minute, so the per-user and registration/sign-in limits are
// lifted for this run only. The defaults are untouched; never set this on a deployment.
if (builder.Configuration.GetValue<bool>("Coinage:Benchmark"))
{
    foreach (var policy in new[] { "user", "register-ip", "sign-in-ip", "sign-in-account" })
    {
        api.WithEnvironment($"Coinage__RateLimits__Policies__{policy}__Limit", "0");
    }
}

builder.AddPrometheus("prometheus")
    .WithRuleFile("deploy/prometheus/alerts.yml")
    .WithPageUrl("Prometheus", "targets")
    .WithPageUrl("Alerts", "alerts");

builder.Build().Run();
