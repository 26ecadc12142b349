using Coinage.Hosting;
using Microsoft.Extensions.Configuration;

// The app model of Coinage: every resource, what it references and waits for. docs/hosting.md tells how each one
// runs (a container where a container runtime answers, else a local process) and what the settings do.
var builder = DistributedApplication.CreateBuilder(args);
builder.AddCoinageRun();

var db = builder.AddCoinagePostgres("postgres", databaseName: "coinagedb");
var redis = builder.AddCoinageRedis("redis");
var search = builder.AddCoinageElasticsearch("elasticsearch"); // optional: null when there is none to use
var smtp = builder.AddCoinageMailDev("smtp");

// Identity secrets: generated on the first run and kept in .coinage/secrets.json (README, "Configuration").
var jwtKey = builder.AddCoinageSecret("jwt-signing-key");
var adminPassword = builder.AddCoinageSecret("admin-password");
var redactionKey = builder.AddCoinageSecret("log-redaction-key");
// Development users (alice, bob, the market maker): seeded by the API in Development only (README).
var traderPassword = builder.AddCoinageSecret("trader-password");
var marketMakerPassword = builder.AddCoinageSecret("market-maker-password");

var api = builder.AddProject<Projects.Coinage_ApiService>("apiservice")
    .WithCoinageServiceDefaults()
    .WithReference(db).WithReference(redis).WithOptionalReference(search).WithReference(smtp)
    .WaitFor(db).WaitFor(redis)
    .WithMigrations("migrate")
    .WithLink("API reference", "/scalar")
    .WithEnvironment("Coinage__Jwt__SigningKey", jwtKey)
    .WithEnvironment("Coinage__Admin__Email", "admin@coinage.local")
    .WithEnvironment("Coinage__Admin__Password", adminPassword)
    .WithEnvironment("Coinage__Redaction__HmacKey", redactionKey)
    .WithEnvironment("Coinage__DevelopmentUsers__TraderPassword", traderPassword)
    .WithEnvironment("Coinage__DevelopmentUsers__MarketMakerPassword", marketMakerPassword);

var worker = builder.AddProject<Projects.Coinage_Worker>("worker")
    .WithCoinageServiceDefaults()
    .WithReference(db).WithReference(redis).WithOptionalReference(search).WithReference(smtp)
    .WaitFor(api).WaitFor(smtp)
    .WithLink("Jobs", "/hangfire")
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

// A new withdrawal address waits 24 hours before it can be used; `--Coinage:Withdrawals:NewAddressHold=00:00:00`
// lifts the hold for the end-to-end tests that withdraw.
if (builder.Configuration["Coinage:Withdrawals:NewAddressHold"] is { Length: > 0 } newAddressHold)
{
    api.WithEnvironment("Coinage__Withdrawals__NewAddressHold", newAddressHold);
}

// Registrations per address and hour (default 10); `--Coinage:RateLimits:RegistrationsPerIp=200` lets the browser tests,
// which sign up dozens of traders from one address on one platform, run without tripping it.
if (builder.Configuration["Coinage:RateLimits:RegistrationsPerIp"] is { Length: > 0 } registrationsPerIp)
{
    api.WithEnvironment("Coinage__RateLimits__Policies__register-ip__Limit", registrationsPerIp);
}

var web = builder.AddProject<Projects.Coinage_Web>("webfrontend")
    .WithCoinageServiceDefaults()
    .WithReference(api).WaitFor(api)
    .WithExternalHttpEndpoints()
    .WithLink("Web front end", "/")
    .WithEnvironment("Coinage__Redaction__HmacKey", redactionKey);

// The web front end is the one proxy whose X-Forwarded-For the API believes: rate limits and the audit log see each
// browser's address, and nobody else can pick one. Locally it runs on loopback; a deployment names its own networks
// (docs/deploy.md, Coinage:ForwardedHeaders), so loopback is not published.
if (builder.ExecutionContext.IsRunMode)
{
    api.WithEnvironment("Coinage__ForwardedHeaders__KnownProxies", "127.0.0.1,::1");
}

// Commands in the dashboard's worker menu (docs/operations.md): each asks the Worker to run a recurring job now, with a
// key of this run; local runs only (no key, no endpoints: a deployment's ops use the Hangfire dashboard).
worker.WithOpsKey(builder.AddCoinageSecret("ops-key"))
    .WithOpsCommand("run-reconciliation", "Run reconciliation now", "/ops/jobs/reconciliation", "ScaleFill",
        description: "Checks every ledger and exchange invariant now and records the run (reconciliation_runs, the metrics).")
    .WithOpsCommand("rebuild-search", "Rebuild search indices", "/ops/jobs/search-reindex", "DatabaseSearch",
        description: "Rebuilds the Elasticsearch indices from PostgreSQL and swaps the aliases when done.",
        confirmationMessage: "Rebuild every search index from PostgreSQL? Searches use the current indices until the new ones are complete.")
    .WithOpsCommand("trigger-heartbeat", "Trigger the heartbeat", "/ops/jobs/heartbeat", "HeartPulse",
        description: "Writes a heartbeat row now: proves the worker's jobs reach the database.");

// Links in emails (built by the Worker) and CORS/redirects (API) point at the web front end.
api.WithEnvironment("Coinage__WebBaseUrl", web.GetEndpoint("http"));
worker.WithEnvironment("Coinage__WebBaseUrl", web.GetEndpoint("http"));
// The Hangfire tickets the API issues point at the Worker's dashboard.
api.WithEnvironment("Coinage__Hangfire__BaseUrl", worker.GetEndpoint("http"));

// The end-to-end load benchmark (--Coinage:Benchmark=true, docs/performance.md): its traders all come from one
// address and each sends thousands of orders a minute, so the per-user (and per-API-key) and registration/sign-in
// limits are lifted for this run only. The defaults are untouched; never set this on a deployment.
if (builder.Configuration.GetValue<bool>("Coinage:Benchmark"))
{
    foreach (var policy in new[] { "user", "api-key", "register-ip", "sign-in-ip", "sign-in-account" })
    {
        api.WithEnvironment($"Coinage__RateLimits__Policies__{policy}__Limit", "0");
    }
    // One trace in a hundred reaches the dashboard: at thousands of requests a second, ingesting every span took
    // 40 % of a core from the platform under test (docs/performance.md, "the Aspire dashboard's share").
    foreach (var service in new IResourceBuilder<ProjectResource>[] { api, worker, web })
    {
        service.WithEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio").WithEnvironment("OTEL_TRACES_SAMPLER_ARG", "0.01");
    }
}

builder.AddCoinagePrometheus("prometheus", "deploy/prometheus/alerts.yml");
builder.AddCoinagePublishers();

builder.Build().Run();
