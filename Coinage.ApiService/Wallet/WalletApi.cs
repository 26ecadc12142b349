using System.Globalization;
using Coinage.ApiService.Identity.ApiKeys;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Security;
using Coinage.ApiService.Trading;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Funding;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Wallet;

public sealed record BalanceResponse(string Asset, string Available, string Held, string Total);

/// <summary>
/// One posting of the user's ledger. <see cref="Trade"/> is set on the postings of a trade settlement, so a line can
/// be read in words ("Bought 0.05 BTC at 65,000 USD"): the fee is inside the settlement's postings, not a line of its own.
/// <see cref="Withdrawal"/> is set on the postings of a withdrawal's entries, likewise with its fee.
/// </summary>
public sealed record LedgerLineResponse(
    string Id, string EntryId, string Kind, string Reference, string Asset, string Account, string Amount, DateTimeOffset CreatedAt,
    LedgerTradeResponse? Trade = null, LedgerWithdrawalResponse? Withdrawal = null);

/// <summary>The withdrawal a posting belongs to: the amount sent and the withdrawal fee charged on top (both in its asset).</summary>
public sealed record LedgerWithdrawalResponse(string Id, string Amount, string Fee, string Address);

/// <summary>The user's side of the trade a settlement posting belongs to; the fee is theirs, in <see cref="FeeAsset"/>.</summary>
public sealed record LedgerTradeResponse(
    string Id, string Market, string BaseAsset, string QuoteAsset, string Side, string Price, string Quantity, string QuoteAmount, string Fee, string FeeAsset);

/// <summary>The ledger's filters, shared by the list and its CSV export.</summary>
public sealed record LedgerFilter(string? Asset, DateTimeOffset? From, DateTimeOffset? To);

public sealed record DepositRequest(string? Asset, string? Amount);

public sealed record DepositResponse(string Id, string Asset, string Amount, string Status, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, string? Reason = null);

public sealed class WalletOptions
{
    public const string Section = "Coinage:Wallet";

    /// <summary>The simulated rail confirms a deposit at once (Development). Otherwise it stays pending for the Worker/an Admin.</summary>
    public bool? AutoConfirmDeposits { get; set; }
}

/// <summary><c>/api/v1/wallet</c>: balances, ledger history and deposits through the simulated payment rail.</summary>
public static class WalletApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static IHostApplicationBuilder AddWallet(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<WalletOptions>().Bind(builder.Configuration.GetSection(WalletOptions.Section));
        builder.Services.AddOptions<Coinage.Domain.Funding.FundingOptions>().Bind(builder.Configuration.GetSection(Coinage.Domain.Funding.FundingOptions.Section));
        builder.AddFundingEvents();
        builder.AddWithdrawalAddresses();
        return builder;
    }

    public static IEndpointRouteBuilder MapWalletApi(this IEndpointRouteBuilder routes)
    {
        var wallet = routes.MapGroup("/api/v1/wallet").WithTags("Wallet").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        wallet.MapGet("/balances", BalancesAsync).AcceptApiKeys().WithSummary("Available and held funds per asset");
        wallet.MapGet("/ledger", LedgerAsync).AcceptApiKeys().WithSummary("The user's ledger postings, newest first, by asset and time; cursor-paginated")
            .WithDescription("Errors: 400 invalid_cursor (cursor, limit); 400 validation_failed (asset, to).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        wallet.MapPost("/deposits", DepositAsync).RequireAuthorization(Policies.VerifiedEmail)
            .WithSummary("Deposit through the simulated rail. Idempotency-Key required: a retry returns the same deposit")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        wallet.MapGet("/deposits", DepositsAsync).AcceptApiKeys().WithSummary("The user's deposits, newest first; cursor-paginated")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    public static async Task<Ok<IReadOnlyList<BalanceResponse>>> BalancesAsync(HttpContext http, CoinageDbContext db, CancellationToken cancellationToken)
    {
        var owner = await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false);
        var assets = await db.Assets.AsNoTracking().OrderBy(a => a.Code).Select(a => a.Code).ToListAsync(cancellationToken).ConfigureAwait(false);
        var rows = owner is { } id
            ? await db.Balances.AsNoTracking().Where(b => b.OwnerId == id).ToListAsync(cancellationToken).ConfigureAwait(false)
            : [];
        var result = assets.Select(asset =>
        {
            var available = rows.Where(r => r.Asset == asset && r.Kind == AccountKind.Available).Sum(r => r.Amount);
            var held = rows.Where(r => r.Asset == asset && r.Kind == AccountKind.Held).Sum(r => r.Amount);
            return new BalanceResponse(asset, Money.Format(available), Money.Format(held), Money.Format(available + held));
        }).ToList();
        return TypedResults.Ok<IReadOnlyList<BalanceResponse>>(result);
    }

    public static async Task<Results<Ok<Page<LedgerLineResponse>>, ValidationProblem, ProblemHttpResult>> LedgerAsync(
        string? asset, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int? limit, HttpContext http, CoinageDbContext db, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var problem))
        {
            return problem!;
        }
        var errors = new InputErrors();
        var filter = await LedgerFilterAsync(errors, db, asset, from, to, cancellationToken).ConfigureAwait(false);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var owner = await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false);
        if (owner is not { } id)
        {
            return TypedResults.Ok(new Page<LedgerLineResponse>([], null));
        }
        var items = await LedgerPageAsync(db, id, filter, after, take + 1, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new Page<LedgerLineResponse>(items.Take(take).ToList(), items.Count > take ? items[take - 1].Id : null));
    }

    /// <summary>Validates the ledger's filters: a known asset (any case), and <c>to</c> after <c>from</c>.</summary>
    internal static async Task<LedgerFilter> LedgerFilterAsync(
        InputErrors errors, CoinageDbContext db, string? asset, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        string? code = null;
        if (!string.IsNullOrWhiteSpace(asset))
        {
            code = asset.Trim().ToUpperInvariant();
            if (code.Length > 16 || !await db.Assets.AsNoTracking().AnyAsync(a => a.Code == code, cancellationToken).ConfigureAwait(false))
            {
                errors.Add("asset", $"No asset '{asset.Trim()}'.");
            }
        }
        if (from is { } f && to is { } t && f >= t)
        {
            errors.Add("to", "Must be after from.");
        }
        return new LedgerFilter(code, from, to);
    }

    /// <summary>
    /// Up to <paramref name="take"/> postings of the owner older than <paramref name="after"/>, newest first, with the
    /// trade of each settlement posting (trades are indexed by their journal entry) and the withdrawal of each withdrawal posting.
    /// </summary>
    internal static async Task<List<LedgerLineResponse>> LedgerPageAsync(
        CoinageDbContext db, long owner, LedgerFilter filter, long? after, int take, CancellationToken cancellationToken)
    {
        var postings = db.Postings.AsNoTracking().Where(p => p.OwnerId == owner && (after == null || p.Id < after));
        if (filter.Asset is { } asset)
        {
            postings = postings.Where(p => p.Asset == asset);
        }
        if (filter.From is { } from)
        {
            var fromUtc = from.ToUniversalTime();
            postings = postings.Where(p => p.CreatedAt >= fromUtc);
        }
        if (filter.To is { } to)
        {
            var toUtc = to.ToUniversalTime();
            postings = postings.Where(p => p.CreatedAt < toUtc);
        }
        // owner 0 is the system; users are > 0, so the filter never shows a system account.
        var query = from p in postings
                    join e in db.JournalEntries.AsNoTracking() on p.JournalEntryId equals e.Id
                    from t in db.Trades.AsNoTracking().Where(t => e.Kind == JournalEntryKind.TradeSettlement && t.JournalEntryId == e.Id).DefaultIfEmpty()
                    from m in db.Markets.AsNoTracking().Where(m => t != null && m.Id == t.MarketId).DefaultIfEmpty()
                    from w in db.Withdrawals.AsNoTracking().Where(w => (e.Kind == JournalEntryKind.WithdrawalRequest || e.Kind == JournalEntryKind.WithdrawalCompletion
                        || e.Kind == JournalEntryKind.WithdrawalRejection) && w.Id == e.ReferenceId).DefaultIfEmpty()
                    orderby p.Id descending
                    select new { p.Id, p.JournalEntryId, EntryKind = e.Kind, e.ReferenceId, p.Asset, AccountKind = p.Kind, p.Amount, p.CreatedAt, Trade = t, Market = m, Withdrawal = w };
        var rows = await query.Take(take).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new LedgerLineResponse(
            r.Id.ToString(CultureInfo.InvariantCulture), r.JournalEntryId.ToString(CultureInfo.InvariantCulture),
            KindName(r.EntryKind), r.ReferenceId.ToString(CultureInfo.InvariantCulture), r.Asset,
            r.AccountKind == AccountKind.Held ? "held" : "available", Money.Format(r.Amount), r.CreatedAt,
            r.Trade is { } t && r.Market is { } m ? TradeOf(t, m, owner) : null,
            r.Withdrawal is { } w ? new LedgerWithdrawalResponse(w.Id.ToString(CultureInfo.InvariantCulture), Money.Format(w.Amount), Money.Format(w.Fee), w.Address) : null))];
    }

    private static LedgerTradeResponse TradeOf(TradeRecord t, MarketRecord m, long owner)
    {
        // Self-trades are prevented, so the owner is either the taker or the maker of the trade.
        var taker = t.TakerOwnerId == owner;
        var buyer = taker == (t.TakerSide == Side.Buy);
        return new LedgerTradeResponse(t.Id.ToString(CultureInfo.InvariantCulture), m.Symbol, m.BaseAsset, m.QuoteAsset, buyer ? "buy" : "sell",
            Money.Format(t.Price), Money.Format(t.Quantity), Money.Format(t.QuoteAmount), Money.Format(taker ? t.TakerFee : t.MakerFee), m.QuoteAsset);
    }

    public static async Task<Results<Created<DepositResponse>, Ok<DepositResponse>, ProblemHttpResult>> DepositAsync(
        DepositRequest request, [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey,
        HttpContext http, CoinageDbContext db, FundingEvents events, TimeProvider clock, IHostEnvironment environment, IOptions<WalletOptions> options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > 128 || idempotencyKey.Any(char.IsControl))
        {
            return ExchangeProblems.BadRequest(ExchangeErrorCodes.IdempotencyKeyRequired, $"The {IdempotencyHeader} header (1 to 128 printable characters) is required.");
        }
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        if (request.Asset is null || !assets.TryGetValue(request.Asset.ToUpperInvariant(), out var asset))
        {
            return ExchangeProblems.BadRequest(ExchangeErrorCodes.UnknownAsset, $"Unknown asset '{request.Asset}'.");
        }
        if (!Money.TryParse(request.Amount, out var amount))
        {
            return ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidAmount, "amount must be a positive decimal string.");
        }
        if (!asset.TryValidateAmount(amount, out var amountError))
        {
            return ExchangeProblems.BadRequest(ExchangeErrorCodes.InvalidAmount, amountError!);
        }
        var owner = await http.OwnerIdAsync(db, clock, cancellationToken).ConfigureAwait(false);
        var existing = await db.Deposits.AsNoTracking().FirstOrDefaultAsync(d => d.OwnerId == owner && d.IdempotencyKey == idempotencyKey, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return Same(existing, asset.Code, amount);
        }

        var now = clock.GetUtcNow();
        var autoConfirm = options.Value.AutoConfirmDeposits ?? environment.IsDevelopment();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var deposit = new DepositRecord { OwnerId = owner, IdempotencyKey = idempotencyKey, Asset = asset.Code, Amount = amount, Status = DepositStatus.Pending, CreatedAt = now };
        db.Deposits.Add(deposit);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent retry with the same key won: answer with its deposit.
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            var winner = await db.Deposits.AsNoTracking().FirstAsync(d => d.OwnerId == owner && d.IdempotencyKey == idempotencyKey, cancellationToken).ConfigureAwait(false);
            return Same(winner, asset.Code, amount);
        }
        if (autoConfirm)
        {
            var entries = await LedgerStore.PostAsync(db, [LedgerOperations.Deposit(deposit.Id, owner, asset, amount)], assets, now, cancellationToken).ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            deposit.Status = DepositStatus.Confirmed;
            deposit.CompletedAt = now;
            deposit.JournalEntryId = entries[0].Id;
        }
        await AuditLog.AppendAsync(db, autoConfirm ? "wallet.deposit_confirmed" : "wallet.deposit_requested", now, http.User.UserId(), http.User.UserId(),
            http.ClientIp(), new { depositId = deposit.Id, asset = asset.Code, amount = Money.Format(amount) }, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        // The user's other tabs and devices show it too.
        await events.PublishAsync(db, deposit, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/wallet/deposits/{deposit.Id}", ToResponse(deposit));
    }

    public static async Task<Results<Ok<Page<DepositResponse>>, ProblemHttpResult>> DepositsAsync(
        string? cursor, int? limit, HttpContext http, CoinageDbContext db, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var problem))
        {
            return problem!;
        }
        if (await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false) is not { } owner)
        {
            return TypedResults.Ok(new Page<DepositResponse>([], null));
        }
        var rows = await db.Deposits.AsNoTracking().Where(d => d.OwnerId == owner && (after == null || d.Id < after))
            .OrderByDescending(d => d.Id).Take(take + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var items = rows.Take(take).Select(ToResponse).ToList();
        return TypedResults.Ok(new Page<DepositResponse>(items, rows.Count > take ? items[^1].Id : null));
    }

    private static Results<Created<DepositResponse>, Ok<DepositResponse>, ProblemHttpResult> Same(DepositRecord existing, string asset, decimal amount) =>
        existing.Asset == asset && existing.Amount == amount
            ? TypedResults.Ok(ToResponse(existing))
            : ExchangeProblems.Conflict(ExchangeErrorCodes.IdempotencyKeyReused, "This Idempotency-Key was used for another deposit.");

    internal static DepositResponse ToResponse(DepositRecord d) => new(
        d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), d.Asset, Money.Format(d.Amount),
        d.Status.ToString().ToLowerInvariant(), d.CreatedAt, d.CompletedAt, d.Reason);

    internal static string KindName(JournalEntryKind kind) => kind switch
    {
        JournalEntryKind.Deposit => "deposit",
        JournalEntryKind.WithdrawalRequest => "withdrawal_request",
        JournalEntryKind.WithdrawalCompletion => "withdrawal",
        JournalEntryKind.WithdrawalRejection => "withdrawal_rejected",
        JournalEntryKind.OrderHold => "order_hold",
        JournalEntryKind.HoldRelease => "hold_release",
        _ => "trade",
    };
}
