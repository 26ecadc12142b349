using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Coinage.ServiceDefaults.Compliance;
using Microsoft.AspNetCore.Identity;

namespace Coinage.ApiService.Identity;

/// <summary>
/// Development only: the traders <c>alice@coinage.local</c> and <c>bob@coinage.local</c>
/// (<c>Coinage:DevelopmentUsers:TraderPassword</c>, the AppHost's <c>trader-password</c>) and the
/// market maker's two accounts <c>market-maker@coinage.local</c> (quotes) and <c>market-taker@coinage.local</c>
/// (crosses the spread: self-trade prevention forbids trading with one's own quotes), both with
/// <c>Coinage:DevelopmentUsers:MarketMakerPassword</c> (<c>market-maker-password</c>), created at start-up with a confirmed email and the Trader role.
/// Idempotent: an existing user is repaired (confirmed, Trader, the configured password), never duplicated.
/// </summary>
internal sealed partial class DevelopmentUsers(IServiceScopeFactory scopes, IConfiguration configuration, IHostEnvironment environment, ILogger<DevelopmentUsers> logger) : IHostedService
{
    public const string Section = "Coinage:DevelopmentUsers";
    public const string MarketMakerEmail = "market-maker@coinage.local";
    public const string MarketTakerEmail = "market-taker@coinage.local";
    public static readonly IReadOnlyList<string> TraderEmails = ["alice@coinage.local", "bob@coinage.local"];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Known addresses with passwords from a local secrets file: never in a real deployment.
        if (!environment.IsDevelopment())
        {
            return;
        }
        var traderPassword = configuration[$"{Section}:TraderPassword"];
        var makerPassword = configuration[$"{Section}:MarketMakerPassword"];
        foreach (var (email, password) in TraderEmails.Select(e => (e, traderPassword)).Append((MarketMakerEmail, makerPassword)).Append((MarketTakerEmail, makerPassword)))
        {
            if (string.IsNullOrEmpty(password))
            {
                continue;
            }
            try
            {
                await EnsureAsync(email, password, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A development convenience must not stop the API: the user can still register by hand.
                LogFailed(logger, exception, email);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureAsync(string email, string password, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CoinageUser>>();
        var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await users.FindByEmailAsync(email).ConfigureAwait(false);
        string? action = null;
        if (user is null)
        {
            user = new CoinageUser { Id = Guid.CreateVersion7(), Email = email, UserName = email, EmailConfirmed = true, CreatedAt = now };
            Check(await users.CreateAsync(user, password).ConfigureAwait(false));
            action = "user.development_seeded";
        }
        else
        {
            if (!user.EmailConfirmed)
            {
                user.EmailConfirmed = true;
                Check(await users.UpdateAsync(user).ConfigureAwait(false));
                action = "user.development_repaired";
            }
            if (!await users.CheckPasswordAsync(user, password).ConfigureAwait(false))
            {
                // The secrets file was regenerated while the database was kept: follow the file.
                Check(await users.RemovePasswordAsync(user).ConfigureAwait(false));
                Check(await users.AddPasswordAsync(user, password).ConfigureAwait(false));
                action = "user.development_repaired";
            }
        }
        if (!await users.IsInRoleAsync(user, Roles.Trader).ConfigureAwait(false))
        {
            Check(await users.AddToRoleAsync(user, Roles.Trader).ConfigureAwait(false));
            action ??= "user.development_repaired";
        }
        if (action is null)
        {
            return;
        }
        await AuditLog.AppendAsync(db, action, now, null, user.Id, null, cancellationToken: cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogSeeded(logger, email, action);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Development user {Email}: {Action}")]
    private static partial void LogSeeded(ILogger logger, [Pii] string email, string action);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not seed the development user {Email}")]
    private static partial void LogFailed(ILogger logger, Exception exception, [Pii] string email);
}
