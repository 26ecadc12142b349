using System.Globalization;
using Coinage.ApiService.Identity.ApiKeys;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.StepUp;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Security;
using Coinage.ApiService.Trading;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Funding;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Wallet;

public sealed record AddWithdrawalAddressRequest(string? Asset, string? Label, string? Address);

/// <param name="Usable">Whether the hold is over at the time of the answer; <c>UsableFrom</c> says when it will be.</param>
public sealed record WithdrawalAddressResponse(string Id, string Asset, string Label, string Address, DateTimeOffset CreatedAt, DateTimeOffset UsableFrom, bool Usable);

/// <summary><c>Coinage:Withdrawals</c>: the address book's rules.</summary>
public sealed class WithdrawalAddressOptions
{
    public const string Section = "Coinage:Withdrawals";

    /// <summary>
    /// How long a newly added address waits before a withdrawal may use it: the owner, emailed at once, has that
    /// long to remove an address someone else added with a stolen session (Kraken and Coinbase hold 24 to 72 hours).
    /// </summary>
    public TimeSpan NewAddressHold { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Entries per user, over all assets; the list is answered whole, so it stays short.</summary>
    public int MaxAddresses { get; set; } = 50;
}

/// <summary>
/// <c>/api/v1/wallet/withdrawal-addresses</c>: the user's withdrawal address book. A withdrawal can only go to an
/// entry, and a new entry only after <see cref="WithdrawalAddressOptions.NewAddressHold"/> (WithdrawalsApi).
/// Adding emails the owner; adding and removing are audited, in the transaction that does them.
/// </summary>
public static class WithdrawalAddressesApi
{
    public static IHostApplicationBuilder AddWithdrawalAddresses(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<WithdrawalAddressOptions>().Bind(builder.Configuration.GetSection(WithdrawalAddressOptions.Section))
            .Validate(o => o.NewAddressHold >= TimeSpan.Zero, $"{WithdrawalAddressOptions.Section}:NewAddressHold must not be negative.")
            .Validate(o => o.MaxAddresses is >= 1 and <= 1000, $"{WithdrawalAddressOptions.Section}:MaxAddresses must be between 1 and 1000.")
            .ValidateOnStart();
        return builder;
    }

    public static IEndpointRouteBuilder MapWithdrawalAddressesApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/wallet/withdrawal-addresses").WithTags("Wallet").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapGet("", ListAsync).AcceptApiKeys().WithSummary("The user's saved withdrawal addresses (all of them: the book is capped), by asset and label");
        group.MapGet("/{id:long}", GetAsync).AcceptApiKeys().WithSummary("One saved withdrawal address")
            .ProducesProblem(StatusCodes.Status404NotFound);
        // Where money may go is the prize of a stolen session: adding needs a fresh proof (403 step_up_required).
        // Removing does not: it only takes a destination away.
        group.MapPost("", AddAsync).RequireAuthorization(Policies.VerifiedEmail).RequireStepUp()
            .WithSummary("Save a withdrawal address; needs a step-up (403 step_up_required). It can be used after the hold (usableFrom); the owner is emailed")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{id:long}", RemoveAsync).RequireAuthorization(Policies.VerifiedEmail)
            .WithSummary("Remove a saved address; withdrawals already requested to it are not affected")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    public static async Task<Ok<IReadOnlyList<WithdrawalAddressResponse>>> ListAsync(
        string? asset, HttpContext http, CoinageDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false) is not { } owner)
        {
            return TypedResults.Ok<IReadOnlyList<WithdrawalAddressResponse>>([]);
        }
        var code = asset?.Trim().ToUpperInvariant();
        var rows = await db.WithdrawalAddresses.AsNoTracking()
            .Where(a => a.OwnerId == owner && (string.IsNullOrEmpty(code) || a.Asset == code))
            .OrderBy(a => a.Asset).ThenBy(a => a.Label).ThenBy(a => a.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        return TypedResults.Ok<IReadOnlyList<WithdrawalAddressResponse>>(rows.Select(a => ToResponse(a, now)).ToList());
    }

    public static async Task<Results<Ok<WithdrawalAddressResponse>, ProblemHttpResult>> GetAsync(
        long id, HttpContext http, CoinageDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var owner = await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false);
        var entry = await db.WithdrawalAddresses.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id && a.OwnerId == owner, cancellationToken).ConfigureAwait(false);
        return entry is null ? NotFound(id) : TypedResults.Ok(ToResponse(entry, clock.GetUtcNow()));
    }

    public static async Task<Results<Created<WithdrawalAddressResponse>, ProblemHttpResult>> AddAsync(
        AddWithdrawalAddressRequest request, HttpContext http, CoinageDbContext db, TimeProvider clock, IOptions<WithdrawalAddressOptions> options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        if (request.Asset is null || !assets.TryGetValue(request.Asset.Trim().ToUpperInvariant(), out var asset))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, ExchangeErrorCodes.UnknownAsset, "asset", $"Unknown asset '{request.Asset}'.");
        }
        var label = request.Label?.Trim() ?? "";
        if (label.Length is 0 or > WithdrawalAddressRecord.MaxLabelLength || label.Any(char.IsControl))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, ErrorCodes.ValidationFailed, "label",
                $"Name the address: 1 to {WithdrawalAddressRecord.MaxLabelLength} characters, so you recognise it when you withdraw.");
        }
        if (!WithdrawalAddress.TryNormalize(asset.Code, request.Address, out var address, out var addressError))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, FundingErrorCodes.InvalidAddress, "address", addressError);
        }

        var owner = await http.OwnerIdAsync(db, clock, cancellationToken).ConfigureAwait(false);
        var userId = http.User.UserId();
        // To the microsecond PostgreSQL keeps: the answer says the same usableFrom as every later read.
        var now = clock.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % 10));
        var hold = options.Value;
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Locked so that concurrent adds of one user are counted one after another against the cap.
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {userId} FOR UPDATE").AsTracking().FirstAsync(cancellationToken).ConfigureAwait(false);
        var saved = await db.WithdrawalAddresses.Where(a => a.OwnerId == owner).Select(a => new { a.Asset, a.Address }).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (saved.Any(a => a.Asset == asset.Code && a.Address == address))
        {
            return AddressExists(asset.Code);
        }
        if (saved.Count >= hold.MaxAddresses)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, FundingErrorCodes.AddressBookFull, "The request cannot be carried out.",
                $"Your address book holds at most {hold.MaxAddresses} addresses; remove one you no longer use first.");
        }

        var entry = new WithdrawalAddressRecord
        {
            OwnerId = owner, Asset = asset.Code, Label = label, Address = address, CreatedAt = now, UsableFrom = now + hold.NewAddressHold,
        };
        db.WithdrawalAddresses.Add(entry);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var ip = http.ClientIp();
        await FundingOperations.AuditAsync(db, "wallet.address_added", owner, Actor.User(userId, ip), now,
            new { addressId = entry.Id, asset = entry.Asset, label, address, usableFrom = entry.UsableFrom }, cancellationToken).ConfigureAwait(false);
        // Whoever holds a stolen session can add an address, but not read the owner's mail: the owner learns of it
        // here, while the hold still stops any withdrawal to it.
        IdentityEmails.Enqueue(db, FundingEmails.WithdrawalAddressAdded, user, now, new Dictionary<string, string?>
        {
            ["addressId"] = entry.Id.ToString(CultureInfo.InvariantCulture),
            ["asset"] = entry.Asset,
            ["label"] = label,
            ["address"] = address,
            ["addedAt"] = now.ToString("u", CultureInfo.InvariantCulture),
            ["usableFrom"] = entry.UsableFrom.ToString("u", CultureInfo.InvariantCulture),
            ["ipAddress"] = ip,
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/wallet/withdrawal-addresses/{entry.Id}", ToResponse(entry, now));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        long id, HttpContext http, CoinageDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var owner = await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var entry = await db.WithdrawalAddresses.FromSql($"SELECT * FROM withdrawal_addresses WHERE id = {id} FOR UPDATE")
            .AsTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        // Someone else's entry is answered like a missing one.
        if (entry is null || entry.OwnerId != owner)
        {
            return NotFound(id);
        }
        db.WithdrawalAddresses.Remove(entry);
        await FundingOperations.AuditAsync(db, "wallet.address_removed", entry.OwnerId, Actor.User(http.User.UserId(), http.ClientIp()), now,
            new { addressId = entry.Id, asset = entry.Asset, label = entry.Label, address = entry.Address }, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    internal static WithdrawalAddressResponse ToResponse(WithdrawalAddressRecord a, DateTimeOffset now) => new(
        a.Id.ToString(CultureInfo.InvariantCulture), a.Asset, a.Label, a.Address, a.CreatedAt, a.UsableFrom, a.UsableFrom <= now);

    private static ProblemHttpResult AddressExists(string asset) =>
        FieldProblems.Create(StatusCodes.Status409Conflict, FundingErrorCodes.AddressExists, "address", $"This {asset} address is already in your address book.");

    private static ProblemHttpResult NotFound(long id) => ExchangeProblems.NotFound($"No saved withdrawal address {id}.");
}
