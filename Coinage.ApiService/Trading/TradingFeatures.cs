namespace Coinage.ApiService.Trading;

public static class TradingFeatures
{
    /// <summary>The order path: the group-commit writer, the in-memory catalog it validates against, and the trading meter.</summary>
    public static IHostApplicationBuilder AddTrading(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<GroupCommitOptions>().Bind(builder.Configuration.GetSection(GroupCommitOptions.Section));
        builder.Services.AddSingleton<TradingCatalog>();
        builder.Services.AddSingleton<TradingTelemetry>();
        builder.Services.AddSingleton<Risk.MarketStatusChanges>();
        builder.Services.AddSingleton<OrderCommitter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OrderCommitter>());
        return builder;
    }
}
