using Coinage.ApiService.Admin;
using Coinage.ApiService.Audit;
using Coinage.ApiService.Exports;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.ApiKeys;
using Coinage.ApiService.Identity.Devices;
using Coinage.ApiService.Identity.Passkeys;
using Coinage.ApiService.Identity.StepUp;
using Coinage.ApiService.Infrastructure;
using Coinage.ApiService.MarketData;
using Coinage.ApiService.Markets;
using Coinage.ApiService.Portfolio;
using Coinage.ApiService.Privacy;
using Coinage.ApiService.Search;
using Coinage.ApiService.Security;
using Coinage.ApiService.Status;
using Coinage.ApiService.Streaming;
using Coinage.ApiService.Trading;
using Coinage.ApiService.Wallet;
using Coinage.Domain.Data;
using Coinage.Domain.Redis;
using Coinage.Domain.Search;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCoinageDbContext();
builder.AddCoinageRedis();
builder.AddHttpConventions();
builder.AddApiDocumentation();
builder.AddSecurityFeatures();
builder.AddIdentityFeatures();
builder.AddWallet();
builder.AddTrading();
builder.AddMarketData();
builder.AddStreaming();
builder.AddPortfolio();
builder.AddPrivacy();
builder.AddCoinageSearch();

var app = builder.Build();

// Before the server listens, so /health can never report ready on an old schema.
await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
if (args is ["migrate", ..])
{
    return; // A deployment's init container: migrate, then exit (docs/deploy.md).
}

app.UseHttpConventions();
app.UseSecurityFeatures();
app.UseIdentityFeatures();
app.UsePerUserRateLimit();
app.UseStreaming();
app.MapDefaultEndpoints();
app.MapApiDocumentation();
app.MapStatusApi();
app.MapAuthApi();
app.MapLegalApi();
app.MapAccountApi();
app.MapStepUpApi();
app.MapDevicesApi();
app.MapPasskeysApi();
app.MapApiKeysApi();
app.MapAdminApi();
app.MapOpsApi();
app.MapAuditApi();
app.MapMarketsApi();
app.MapWalletApi();
app.MapOrdersApi();
app.MapOcoOrdersApi();
app.MapAmendOrderApi();
app.MapOrderBatchApi();
app.MapCancelAllAfterApi();
app.MapMarketAdminApi();
app.MapRiskAdminApi();
app.MapReconciliationApi();
app.MapWithdrawalAddressesApi();
app.MapWithdrawalsApi();
app.MapFundingAdminApi();
app.MapMarketDataApi();
app.MapStreamingApi();
app.MapPortfolioApi();
app.MapPrivacyApi();
app.MapSearchApi();
app.MapExportApi();

await app.RunAsync();

/// <summary>The entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
