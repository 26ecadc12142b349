using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coinage.ApiService.Identity.ApiKeys;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Identity.TwoFactor;
using Coinage.ApiService.Security;
using Coinage.ApiService.Trading;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Funding;
using Coinage.Domain.Identity;
using Coinage.Domain.Ledger;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Wallet;

/// <param name="AddressId">The saved address (<c>/wallet/withdrawal-addresses</c>) to send to.</param>
/// <param name="Address">
/// Instead of, or beside, <paramref name="AddressId"/>: the address itself, accepted when it is saved for the asset, so a
/// program can keep sending the address it knows. Either way the address must be in the book and past its hold.
/// </param>
public sealed record WithdrawalRequest(string? Asset, string? Amount, string? AddressId, string? Address, string? TwoFactorCode);

public sealed record ConfirmWithdrawalRequest(string? Token);

/// <param name="Amount">What the recipient gets.</param>
/// <param name="Fee">The asset's withdrawal fee when it was requested, charged on top of the amount (the one charged, whatever the fee is now).</param>
/// <param name="Total">Amount + fee: what it holds while in flight and what leaves the balance when it completes.</param>
/// <param name="AddressId">The address-book entry it went to (it may have been removed since); null before the address book.</param>
public sealed record WithdrawalResponse(
    string Id, string Asset, string Amount, string Fee, string Total, string Address, string Status, string? Reason,
    DateTimeOffset CreatedAt, DateTimeOffset ConfirmationExpiresAt, DateTimeOffset? ConfirmedAt, DateTimeOffset? CompletedAt, string? AddressId = null);

/// <summary>Stable codes of the funding endpoints, beside <see cref="ExchangeErrorCodes"/>.</summary>
public static class FundingErrorCodes
{
    public const string InvalidAddress = "invalid_address";
    public const string ConfirmationExpired = "confirmation_expired";
    public const string WithdrawalNotCancellable = "withdrawal_not_cancellable";
    public const string WithdrawalNotPending = "withdrawal_not_pending";
    public const string DepositNotPending = "deposit_not_pending";

    /// <summary>400: the withdrawal names no address of the user's address book.</summary>
    public const string AddressRequired = "address_required";

    /// <summary>400: no saved address of the asset with that id or that value.</summary>
    public const string UnknownAddress = "unknown_address";

    /// <summary>400: both <c>addressId</c> and <c>address</c> were given, and they name different places.</summary>
    public const string AddressMismatch = "address_mismatch";

    /// <summary>422: the saved address is still in its hold; the problem's <c>usableFrom</c> says until when.</summary>
    public const string AddressOnHold = "address_on_hold";

    /// <summary>409: the address is already saved for the asset.</summary>
    public const string AddressExists = "address_exists";

    /// <summary>422: the address book holds <c>Coinage:Withdrawals:MaxAddresses</c> entries already.</summary>
    public const string AddressBookFull = "address_book_full";
}

/// <summary>Problems that name the field they are about (RFC 9457 <c>errors</c>), so a form shows them in place.</summary>
internal static class FieldProblems
{
    public static ProblemHttpResult Create(int status, string code, string field, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?>
        {
            ["code"] = code,
            ["errors"] = new Dictionary<string, string[]> { [field] = [detail] },
        };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            all[key] = value;
        }
        return TypedResults.Problem(detail: detail, statusCode: status, title: status switch
        {
            StatusCodes.Status403Forbidden => "This needs a second factor.",
            StatusCodes.Status409Conflict => "The request conflicts with the current state.",
            StatusCodes.Status422UnprocessableEntity => "The request cannot be carried out.",
            _ => "The request is not valid.",
        }, type: Problems.TypeBase + code, extensions: all);
    }
}

/// <summary>
/// <c>/api/v1/wallet/withdrawals</c>: request (funds held at once, second factor when enabled), confirm
/// through the emailed link, cancel while not processed, list. The Worker completes or expires them
/// (Coinage.Worker/Funding); an Admin approves large ones (Admin/FundingAdminApi).
/// </summary>
public static class WithdrawalsApi
{
    public const string ConfirmEmail = "email.withdrawal_confirm";

    public static IEndpointRouteBuilder MapWithdrawalsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/wallet/withdrawals").WithTags("Wallet").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapGet("", ListAsync).AcceptApiKeys().WithSummary("The user's withdrawals, newest first; cursor-paginated")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPost("", RequestAsync).RequireAuthorization(Policies.VerifiedEmail).AcceptApiKeys(ApiKeyScopes.Withdraw)
            .WithSummary("Request a withdrawal: holds the funds and emails a confirmation link. Idempotency-Key required")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/confirm", ConfirmAsync).RequireAuthorization(Policies.VerifiedEmail)
            .WithSummary("Confirm a withdrawal with the token of the emailed link (works once, expires)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status410Gone);
        group.MapDelete("/{id:long}", CancelAsync).RequireAuthorization(Policies.VerifiedEmail).AcceptApiKeys(ApiKeyScopes.Withdraw)
            .WithSummary("Cancel a withdrawal that is not processed yet; its funds are released")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return routes;
    }

    public static async Task<Results<Ok<Page<WithdrawalResponse>>, ProblemHttpResult>> ListAsync(
        string? cursor, int? limit, HttpContext http, CoinageDbContext db, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var problem))
        {
            return problem!;
        }
        if (await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false) is not { } owner)
        {
            return TypedResults.Ok(new Page<WithdrawalResponse>([], null));
        }
        var rows = await db.Withdrawals.AsNoTracking().Where(w => w.OwnerId == owner && (after == null || w.Id < after))
            .OrderByDescending(w => w.Id).Take(take + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var items = rows.Take(take).Select(ToResponse).ToList();
        return TypedResults.Ok(new Page<WithdrawalResponse>(items, rows.Count > take ? items[^1].Id : null));
    }

    public static async Task<Results<Created<WithdrawalResponse>, Ok<WithdrawalResponse>, ProblemHttpResult>> RequestAsync(
        WithdrawalRequest request, [FromHeader(Name = WalletApi.IdempotencyHeader)] string? idempotencyKey,
        HttpContext http, CoinageDbContext db, FundingEvents events, TotpService totp, UserManager<CoinageUser> users, TimeProvider clock, IOptions<FundingOptions> options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(users);
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > 128 || idempotencyKey.Any(char.IsControl))
        {
            return ExchangeProblems.BadRequest(ExchangeErrorCodes.IdempotencyKeyRequired, $"The {WalletApi.IdempotencyHeader} header (1 to 128 printable characters) is required.");
        }
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        if (request.Asset is null || !assets.TryGetValue(request.Asset.ToUpperInvariant(), out var asset))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, ExchangeErrorCodes.UnknownAsset, "asset", $"Unknown asset '{request.Asset}'.");
        }
        if (!Money.TryParse(request.Amount, out var amount))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, ExchangeErrorCodes.InvalidAmount, "amount", "amount must be a positive decimal string.");
        }
        if (!asset.TryValidateAmount(amount, out var amountError))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, ExchangeErrorCodes.InvalidAmount, "amount", amountError!);
        }
        // The fee of this moment is the one charged: it is stored on the withdrawal, so an Admin's change later
        // never reprices a withdrawal in flight (a retry with the same key answers with the stored one).
        var fee = await db.Assets.AsNoTracking().Where(a => a.Code == asset.Code).Select(a => a.WithdrawalFee).FirstAsync(cancellationToken).ConfigureAwait(false);
        if (!asset.TryValidateAmount(amount + fee, out _))
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, ExchangeErrorCodes.InvalidAmount, "amount",
                $"The {asset.Code} amount plus the withdrawal fee of {Money.Format(fee)} {asset.Code} must be at most {Money.Format(Asset.MaxAmount)}.");
        }
        long? addressId = null;
        if (request.AddressId is not null)
        {
            if (!long.TryParse(request.AddressId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                return FieldProblems.Create(StatusCodes.Status400BadRequest, FundingErrorCodes.UnknownAddress, "addressId", "Choose one of your saved addresses.");
            }
            addressId = id;
        }
        string? typed = null;
        if (!string.IsNullOrWhiteSpace(request.Address))
        {
            if (!WithdrawalAddress.TryNormalize(asset.Code, request.Address, out var normalized, out var addressError))
            {
                return FieldProblems.Create(StatusCodes.Status400BadRequest, FundingErrorCodes.InvalidAddress, "address", addressError);
            }
            typed = normalized;
        }
        if (addressId is null && typed is null)
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, FundingErrorCodes.AddressRequired, "addressId", "Choose one of your saved addresses.");
        }
        var owner = await http.OwnerIdAsync(db, clock, cancellationToken).ConfigureAwait(false);
        // A retry of a request that went through answers with its withdrawal; its second factor was checked then, and its
        // address may have been removed from the book since.
        var existing = await db.Withdrawals.AsNoTracking().FirstOrDefaultAsync(w => w.OwnerId == owner && w.IdempotencyKey == idempotencyKey, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return Same(existing, asset.Code, amount, addressId, typed);
        }

        var now = clock.GetUtcNow();
        // Judged before the second factor, so a refused address spends no code.
        var field = addressId is null ? "address" : "addressId";
        var saved = await db.WithdrawalAddresses.AsNoTracking()
            .Where(a => a.OwnerId == owner && a.Asset == asset.Code && (addressId == null ? a.Address == typed : a.Id == addressId))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (saved is null)
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, FundingErrorCodes.UnknownAddress, field, addressId is null
                ? $"This address is not in your {asset.Code} address book: add it there first."
                : $"No saved {asset.Code} address {addressId}.");
        }
        if (typed is not null && typed != saved.Address)
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, FundingErrorCodes.AddressMismatch, "address", $"This is not the address saved as '{saved.Label}'.");
        }
        if (saved.UsableFrom > now)
        {
            return FieldProblems.Create(StatusCodes.Status422UnprocessableEntity, FundingErrorCodes.AddressOnHold, field,
                $"'{saved.Label}' was added recently; for your safety it can be used from {saved.UsableFrom.ToString("u", CultureInfo.InvariantCulture)}.",
                new Dictionary<string, object?> { ["usableFrom"] = saved.UsableFrom });
        }
        var address = saved.Address;

        var userId = http.User.UserId();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Locked so that two requests carrying the same TOTP code cannot both accept it.
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {userId} FOR UPDATE").AsTracking().FirstAsync(cancellationToken).ConfigureAwait(false);
        // A key with the withdraw scope stands in for the code, as on the exchanges: it answers only from its IP
        // allow-list and sends only to the address book. The emailed confirmation still applies.
        var apiKey = http.User.ApiKeyId();
        if (user.TwoFactorEnabled && apiKey is null)
        {
            var code = request.TwoFactorCode?.Trim();
            if (string.IsNullOrEmpty(code))
            {
                return FieldProblems.Create(StatusCodes.Status403Forbidden, ErrorCodes.TwoFactorRequired, "twoFactorCode", "Enter the code of your authenticator app (or a recovery code).");
            }
            if (await users.IsLockedOutAsync(user).ConfigureAwait(false))
            {
                return AccountLocked();
            }
            var accepted = code.Length == 6 && code.All(char.IsAsciiDigit)
                ? totp.VerifyAndConsume(user, code)
                : code.Length <= 32 && await totp.ConsumeRecoveryCodeAsync(db, user.Id, code, cancellationToken).ConfigureAwait(false);
            if (!accepted)
            {
                // Wrong codes count towards the sign-in lockout, or a stolen access token could guess the second factor here.
                await users.AccessFailedAsync(user).ConfigureAwait(false);
                var locked = await users.IsLockedOutAsync(user).ConfigureAwait(false);
                await FundingOperations.AuditAsync(db, "wallet.withdrawal_two_factor_failed", owner, Actor.User(userId, http.ClientIp()), now, new { locked }, cancellationToken).ConfigureAwait(false);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
                return locked
                    ? AccountLocked()
                    : FieldProblems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidTwoFactorCode, "twoFactorCode", "The code is wrong, expired or already used.");
            }
            if (user.AccessFailedCount > 0)
            {
                await users.ResetAccessFailedCountAsync(user).ConfigureAwait(false);
            }
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var withdrawal = new WithdrawalRecord
        {
            OwnerId = owner, IdempotencyKey = idempotencyKey, Asset = asset.Code, Amount = amount, Fee = fee, Address = address, WithdrawalAddressId = saved.Id,
            Status = WithdrawalStatus.AwaitingConfirmation, ConfirmationTokenHash = HashToken(token),
            ConfirmationExpiresAt = now + options.Value.WithdrawalConfirmationWindow, CreatedAt = now,
        };
        db.Withdrawals.Add(withdrawal);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException ex) when (ex.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent retry with the same key won (its code is spent with it): answer with its withdrawal.
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            db.ChangeTracker.Clear();
            var winner = await db.Withdrawals.AsNoTracking().FirstAsync(w => w.OwnerId == owner && w.IdempotencyKey == idempotencyKey, cancellationToken).ConfigureAwait(false);
            return Same(winner, asset.Code, amount, addressId, typed);
        }

        var balances = await LedgerStore.LockAsync(db, [AccountId.Available(owner, asset), AccountId.Held(owner, asset)], assets, now, cancellationToken).ConfigureAwait(false);
        var available = balances[AccountId.Available(owner, asset)].Amount;
        if (available < withdrawal.Total)
        {
            // Nothing of this request stays: the row, the spent code and the lock go with the rollback.
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return FieldProblems.Create(StatusCodes.Status422UnprocessableEntity, ExchangeErrorCodes.InsufficientFunds, "amount", fee == 0
                ? $"Available {asset.Code} is {Money.Format(available)}, less than {Money.Format(amount)}."
                : $"Available {asset.Code} is {Money.Format(available)}, less than {Money.Format(amount)} plus the withdrawal fee of {Money.Format(fee)} ({Money.Format(withdrawal.Total)}); at most {Money.Format(Math.Max(0, available - fee))} can be withdrawn.");
        }
        var entries = await LedgerStore.PostAsync(db, [LedgerOperations.RequestWithdrawal(withdrawal.Id, owner, asset, amount, fee)], assets, now, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        withdrawal.HoldEntryId = entries[0].Id;
        await FundingOperations.AuditAsync(db, "wallet.withdrawal_requested", owner, Actor.User(userId, http.ClientIp()), now,
            ApiKeyClaims.WithApiKey(new { withdrawalId = withdrawal.Id, asset = asset.Code, amount = Money.Format(amount), fee = Money.Format(fee), address, addressId = saved.Id, twoFactor = user.TwoFactorEnabled && apiKey is null }, apiKey), cancellationToken).ConfigureAwait(false);
        IdentityEmails.Enqueue(db, ConfirmEmail, user, now, new Dictionary<string, string?>
        {
            ["token"] = token,
            ["withdrawalId"] = withdrawal.Id.ToString(CultureInfo.InvariantCulture),
            ["asset"] = asset.Code,
            ["amount"] = Money.Format(amount),
            ["fee"] = Money.Format(fee),
            ["address"] = address,
            ["expiresAt"] = withdrawal.ConfirmationExpiresAt.ToString("u", CultureInfo.InvariantCulture),
        });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        await events.PublishAsync(db, withdrawal, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/wallet/withdrawals/{withdrawal.Id}", ToResponse(withdrawal));
    }

    public static async Task<Results<Ok<WithdrawalResponse>, ProblemHttpResult>> ConfirmAsync(
        ConfirmWithdrawalRequest request, HttpContext http, CoinageDbContext db, FundingEvents events, TimeProvider clock, IOptions<FundingOptions> options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Token) || request.Token.Length > 200)
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidToken, "token", "The confirmation link is not valid.");
        }
        var owner = await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false);
        var hash = HashToken(request.Token.Trim());
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var withdrawal = await db.Withdrawals.FromSql($"SELECT * FROM withdrawals WHERE confirmation_token_hash = {hash} FOR UPDATE")
            .AsTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        // Someone else's token is answered like an unknown one: a link proves nothing to another account.
        if (withdrawal is null || withdrawal.OwnerId != owner || withdrawal.Status != WithdrawalStatus.AwaitingConfirmation)
        {
            return FieldProblems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidToken, "token", "This link is not valid or was already used.");
        }
        if (withdrawal.ConfirmationExpiresAt <= now)
        {
            return Problems.Create(StatusCodes.Status410Gone, FundingErrorCodes.ConfirmationExpired, "The confirmation link has expired.",
                "The withdrawal was not confirmed in time; its funds are released. Request it again.");
        }
        // The risk desk reviews what leaves the trader's balance, amount and fee (docs/exchange.md, Funding).
        withdrawal.Status = FundingOptions.WithinThreshold(options.Value.WithdrawalApprovalThresholds, withdrawal.Asset, withdrawal.Total)
            ? WithdrawalStatus.Pending : WithdrawalStatus.PendingApproval;
        withdrawal.ConfirmationTokenHash = null;
        withdrawal.ConfirmedAt = now;
        await FundingOperations.AuditAsync(db, "wallet.withdrawal_confirmed", withdrawal.OwnerId, Actor.User(http.User.UserId(), http.ClientIp()), now,
            new { withdrawalId = withdrawal.Id, status = StatusName(withdrawal.Status) }, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        // The link is usually opened in another tab (or on the phone): the wallet page hears of it live.
        await events.PublishAsync(db, withdrawal, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(ToResponse(withdrawal));
    }

    public static async Task<Results<Ok<WithdrawalResponse>, ProblemHttpResult>> CancelAsync(
        long id, HttpContext http, CoinageDbContext db, FundingEvents events, TimeProvider clock, CancellationToken cancellationToken)
    {
        var owner = await http.ExistingOwnerIdAsync(db, cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var withdrawal = await FundingOperations.LockWithdrawalAsync(db, id, cancellationToken).ConfigureAwait(false);
        if (withdrawal is null || withdrawal.OwnerId != owner)
        {
            return ExchangeProblems.NotFound($"No withdrawal {id}.");
        }
        if (!WithdrawalRecord.HoldsFunds(withdrawal.Status))
        {
            return ExchangeProblems.Conflict(FundingErrorCodes.WithdrawalNotCancellable, $"The withdrawal is {StatusName(withdrawal.Status)}; only one not processed yet can be cancelled.");
        }
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        await FundingOperations.ReleaseWithdrawalAsync(db, withdrawal, WithdrawalStatus.Cancelled, assets, Actor.User(http.User.UserId(), http.ClientIp()), null, now, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        await events.PublishAsync(db, withdrawal, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(ToResponse(withdrawal));
    }

    private static Results<Created<WithdrawalResponse>, Ok<WithdrawalResponse>, ProblemHttpResult> Same(
        WithdrawalRecord existing, string asset, decimal amount, long? addressId, string? address) =>
        existing.Asset == asset && existing.Amount == amount
            && (addressId is null || existing.WithdrawalAddressId == addressId) && (address is null || existing.Address == address)
            ? TypedResults.Ok(ToResponse(existing))
            : ExchangeProblems.Conflict(ExchangeErrorCodes.IdempotencyKeyReused, "This Idempotency-Key was used for another withdrawal.");

    private static ProblemHttpResult AccountLocked() =>
        Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.AccountLocked, "Account temporarily locked", "Too many wrong codes; try again later.");

    internal static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    internal static string StatusName(WithdrawalStatus status) => FundingUpdate.StatusName(status);

    internal static WithdrawalResponse ToResponse(WithdrawalRecord w) => new(
        w.Id.ToString(CultureInfo.InvariantCulture), w.Asset, Money.Format(w.Amount), Money.Format(w.Fee), Money.Format(w.Total), w.Address, StatusName(w.Status), w.Reason,
        w.CreatedAt, w.ConfirmationExpiresAt, w.ConfirmedAt, w.CompletedAt, w.WithdrawalAddressId?.ToString(CultureInfo.InvariantCulture));
}
