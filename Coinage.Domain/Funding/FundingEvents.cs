using System.Data.Common;
using System.Text.Json;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.MarketData;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using static Coinage.Domain.MarketData.MarketDataJson;

namespace Coinage.Domain.Funding;

/// <summary>
/// A deposit or withdrawal changed status (hub event <c>fundingUpdate</c>, docs/exchange.md "Market data"):
/// which one and what it is now. The wallet refetches its lists on it; the money moved comes as a
/// <c>balance</c> event in the same message.
/// </summary>
public sealed record FundingUpdate(string Kind, string Id, string Asset, string Status)
{
    public const string Event = "fundingUpdate";

    public static FundingUpdate Of(DepositRecord deposit)
    {
        ArgumentNullException.ThrowIfNull(deposit);
        return new("deposit", Format(deposit.Id), deposit.Asset, deposit.Status.ToString().ToLowerInvariant());
    }

    public static FundingUpdate Of(WithdrawalRecord withdrawal)
    {
        ArgumentNullException.ThrowIfNull(withdrawal);
        return new("withdrawal", Format(withdrawal.Id), withdrawal.Asset, StatusName(withdrawal.Status));
    }

    /// <summary>A withdrawal status as the API writes it.</summary>
    public static string StatusName(WithdrawalStatus status) => status switch
    {
        WithdrawalStatus.AwaitingConfirmation => "awaiting_confirmation",
        WithdrawalStatus.PendingApproval => "pending_approval",
        _ => status.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// Publishes funding changes to their user's Redis channel, the one the Worker's market-data publisher
/// uses for orders and fills, so the ApiService's relay hands them to that user's hub connections only.
/// Called after the change committed, by whoever made it (the Worker's funding rail, an Admin's decision,
/// the user's own confirm or cancel in another tab). Best effort, like order events: the database is the
/// record, and a client that was not connected refetches when it reconnects.
/// </summary>
public sealed partial class FundingEvents(IConnectionMultiplexer redis, MarketDataKeys keys, ILogger<FundingEvents> logger)
{
    public Task PublishAsync(CoinageDbContext db, DepositRecord deposit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deposit);
        return PublishAsync(db, deposit.OwnerId, FundingUpdate.Of(deposit), cancellationToken);
    }

    public Task PublishAsync(CoinageDbContext db, WithdrawalRecord withdrawal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(withdrawal);
        return PublishAsync(db, withdrawal.OwnerId, FundingUpdate.Of(withdrawal), cancellationToken);
    }

    private async Task PublishAsync(CoinageDbContext db, long ownerId, FundingUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!redis.IsConnected)
        {
            // Waiting for the command timeout would slow the caller down for an event nobody can receive now.
            LogRedisDown(update.Kind, update.Id);
            return;
        }
        try
        {
            var user = await db.Traders.AsNoTracking().Where(t => t.OwnerId == ownerId).Select(t => (Guid?)t.UserId)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (user is null)
            {
                return;
            }
            // Read after the commit: the balance as it is now, which is what the page should show.
            var rows = await db.Balances.AsNoTracking()
                .Where(b => b.OwnerId == ownerId && b.Asset == update.Asset && (b.Kind == AccountKind.Available || b.Kind == AccountKind.Held))
                .Select(b => new { b.Kind, b.Amount })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var available = rows.Where(b => b.Kind == AccountKind.Available).Sum(b => b.Amount);
            var held = rows.Where(b => b.Kind == AccountKind.Held).Sum(b => b.Amount);
            UserEvent[] events =
            [
                new(FundingUpdate.Event, update),
                new("balance", new BalanceUpdate(update.Asset, Format(available), Format(held), Format(available + held))),
            ];
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(keys.UserChannel(user.Value)), JsonSerializer.Serialize(events, Serializer))
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or DbException)
        {
            // The change is committed; only its live notice is lost.
            LogPublishFailed(ex, update.Kind, update.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing the update of {Kind} {Id} to Redis failed")]
    private partial void LogPublishFailed(Exception exception, string kind, string id);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis is not connected: the update of {Kind} {Id} was not published")]
    private partial void LogRedisDown(string kind, string id);
}

public static class FundingEventsExtensions
{
    /// <summary>Registers <see cref="FundingEvents"/>; needs an <see cref="IConnectionMultiplexer"/> (the service's Redis client).</summary>
    public static IHostApplicationBuilder AddFundingEvents(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var prefix = builder.Configuration[MarketDataKeys.PrefixSetting];
        builder.Services.AddSingleton(services => new FundingEvents(
            services.GetRequiredService<IConnectionMultiplexer>(), new MarketDataKeys(prefix), services.GetRequiredService<ILogger<FundingEvents>>()));
        return builder;
    }
}
