using Coinage.Domain.Data;
using Coinage.Domain.Redis;
using Coinage.Worker.Email;
using Coinage.Worker.Funding;
using Coinage.Worker.Hangfire;
using Coinage.Worker.Infrastructure;
using Coinage.Worker.Jobs;
using Coinage.Worker.MarketMaker;
using Coinage.Worker.Matching;
using Coinage.Worker.Metrics;
using Coinage.Worker.Operations;
using Coinage.Worker.Reconciliation;
using Coinage.Worker.Privacy;
using Coinage.Worker.Search;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddJsonProblemDetails();
builder.AddCoinageDbContext();
builder.AddCoinageRedis();
builder.AddCoinageHangfire();
builder.AddJobs();
builder.AddEmailDelivery();
builder.AddMatching();
builder.AddCancelAllAfter(); // the dead man's switch (docs/exchange.md)
builder.AddExchangeMetrics();
builder.AddReconciliation();
builder.AddMarketMaker();
builder.AddFunding();
builder.AddPrivacyJobs();
builder.AddSearchIndexing();

var app = builder.Build();
if (args is ["reindex", ..])
{
    return await app.RunReindexCommandAsync(); // docs/search.md
}

app.UseErrorAnswers();
app.MapDefaultEndpoints();
app.MapJobsDashboard();
app.MapOpsApi(); // the Aspire dashboard's commands, local runs only (docs/operations.md)

await app.RunAsync();
return 0;

/// <summary>The entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
