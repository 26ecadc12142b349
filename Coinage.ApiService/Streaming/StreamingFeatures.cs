namespace Coinage.ApiService.Streaming;

public sealed class StreamingOptions
{
    public const string Section = "Coinage:Streaming";

    /// <summary>How often each connection gets a <c>heartbeat</c> message.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>WebSocket ping frames: how often, and how long a pong may take before the socket is dropped.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest client message; a longer one closes the socket with 1009.</summary>
    public int MaxMessageBytes { get; set; } = 4096;

    /// <summary>Subscriptions per connection, each channel × market (× interval) or private channel counting one; more closes with 4003.</summary>
    public int MaxSubscriptions { get; set; } = 50;

    /// <summary>Client messages per second, with bursts up to <see cref="MessageBurst"/>; faster closes with 4004.</summary>
    public int MessagesPerSecond { get; set; } = 10;

    public int MessageBurst { get; set; } = 20;

    /// <summary>Messages waiting for a client before it is closed as too slow (4000).</summary>
    public int QueueLimit { get; set; } = 1000;
}

public static class StreamingFeatures
{
    /// <summary>The <c>/ws/v1</c> JSON WebSocket feed: fed by the market-data relay, the candles it derives, and its limits.</summary>
    public static IHostApplicationBuilder AddStreaming(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<StreamingOptions>().Bind(builder.Configuration.GetSection(StreamingOptions.Section))
            .Validate(o => o.HeartbeatInterval > TimeSpan.Zero && o.MaxMessageBytes >= 256 && o.MaxSubscriptions > 0 && o.QueueLimit >= 16,
                "Coinage:Streaming needs a positive HeartbeatInterval and MaxSubscriptions, MaxMessageBytes >= 256 and QueueLimit >= 16.")
            .ValidateOnStart();
        builder.Services.AddSingleton<StreamSubscribers>();
        builder.Services.AddHostedService<StreamCandles>();
        return builder;
    }

    /// <summary>WebSocket upgrades for the feed's path only (SignalR brings its own for the hubs).</summary>
    public static WebApplication UseStreaming(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StreamingOptions>>().Value;
        app.UseWhen(context => context.Request.Path.StartsWithSegments(StreamingApi.Path, StringComparison.OrdinalIgnoreCase),
            branch => branch.UseWebSockets(new WebSocketOptions { KeepAliveInterval = options.PingInterval, KeepAliveTimeout = options.PingTimeout }));
        return app;
    }
}
