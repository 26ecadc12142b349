using System.Security.Cryptography;
using System.Text;
using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Identity.TwoFactor;
using Coinage.ApiService.Security;
using Coinage.Domain.Privacy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Privacy;

/// <summary>
/// <c>/api/v1/privacy</c>: the signed-in user's consents and their history, data exports (right of
/// access and portability) and account erasure (right to erasure). The Worker builds the exports and
/// carries out the erasures (Coinage.Worker/Privacy); docs/privacy.md describes the whole.
/// </summary>
public static class PrivacyApi
{
    public static IEndpointRouteBuilder MapPrivacyApi(this IEndpointRouteBuilder routes)
    {
        var privacy = routes.MapGroup("/api/v1/privacy").WithTags("Privacy")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        privacy.MapGet("/consents", GetConsentsAsync).WithSummary("The user's current choice per purpose, and whether new terms await acceptance");
        privacy.MapPut("/consents/{purpose}", ChangeConsentAsync)
            .WithSummary("Give or withdraw a consent (marketing, analytics); terms and privacy can only be accepted")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        privacy.MapPost("/consents/accept", AcceptDocumentsAsync)
            .WithSummary("Accept the current terms and privacy policy (the step a consent_required sign-in asks for)")
            .ProducesValidationProblem();
        privacy.MapGet("/consents/history", GetConsentHistoryAsync)
            .WithSummary("Every consent given or withdrawn: purpose, version, when, from which address, in which flow (newest first)")
            .ProducesValidationProblem();
        privacy.MapGet("/exports", ListExportsAsync).WithSummary("The user's data exports");
        privacy.MapPost("/exports", RequestExportAsync)
            .WithSummary("Request an archive of every piece of data held about the user; a download link arrives by email")
            .ProducesProblem(StatusCodes.Status409Conflict);
        privacy.MapPost("/exports/{id}/download", DownloadExportAsync)
            .WithSummary("Download an export with the emailed link's token (works once, until it expires)")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);
        privacy.MapGet("/erasure", GetErasureAsync).WithSummary("The user's scheduled (or last) erasure request, 204 when none");
        privacy.MapPost("/erasure", RequestErasureAsync)
            .WithSummary("Request erasure of the account (password, and the 2FA code when 2FA is on); effective after the grace period")
            .WithDescription("409 funds_remaining, open_orders or pending_withdrawals while the account still holds something; 409 erasure_already_scheduled.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        privacy.MapDelete("/erasure", CancelErasureAsync)
            .WithSummary("Cancel a scheduled erasure during its grace period")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    public static async Task<Ok<ConsentsResponse>> GetConsentsAsync(ConsentService consents, HttpContext http, CancellationToken cancellationToken)
    {
        var latest = await consents.LatestAsync(http.User.UserId(), cancellationToken).ConfigureAwait(false);
        var items = ConsentPurposes.All.Select(purpose =>
        {
            var current = consents.CurrentVersion(purpose);
            latest.TryGetValue(purpose, out var record);
            return new ConsentResponse(purpose, current, ConsentPurposes.IsRequired(purpose),
                record is { Granted: true } && record.Version == current, record?.Version, record?.RecordedAt);
        }).ToList();
        return TypedResults.Ok(new ConsentsResponse(items, items.Any(i => i.Required && !i.Granted)));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangeConsentAsync(
        string purpose, ChangeConsentRequest request, ConsentService consents, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        if (!ConsentPurposes.All.Contains(purpose, StringComparer.Ordinal))
        {
            return Problems.Create(StatusCodes.Status404NotFound, PrivacyErrorCodes.UnknownPurpose, "Unknown consent purpose",
                $"Purposes: {string.Join(", ", ConsentPurposes.All)}.");
        }
        var errors = new InputErrors();
        if (request.Granted is null)
        {
            errors.Add("granted", "This field is required.");
        }
        var version = errors.Text("version", request.Version, 32);
        if (version is not null && version != consents.CurrentVersion(purpose))
        {
            errors.Add("version", $"The current version is {consents.CurrentVersion(purpose)}.");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        if (ConsentPurposes.IsRequired(purpose) && request.Granted == false)
        {
            return Problems.Create(StatusCodes.Status409Conflict, PrivacyErrorCodes.ConsentRequired, "This consent cannot be withdrawn",
                "The terms and the privacy policy are conditions of the account; to leave, request the erasure of the account.");
        }
        var userId = http.User.UserId();
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await auth.Db.Users.FirstAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false);
        consents.Record(userId, purpose, request.Granted!.Value, ConsentSources.Settings, http.ClientIp());
        if (purpose == ConsentPurposes.Marketing)
        {
            // The flag the mailers read; the history is the record of why.
            user.MarketingConsent = request.Granted.Value;
        }
        await auth.AuditAsync("privacy.consent_changed", userId, userId, http, new { purpose, version, granted = request.Granted }, cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<ConsentsResponse>, ValidationProblem>> AcceptDocumentsAsync(
        AcceptDocumentsRequest request, ConsentService consents, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var terms = errors.Text("termsVersion", request.TermsVersion, 32);
        var privacyVersion = errors.Text("privacyVersion", request.PrivacyVersion, 32);
        if (terms is not null && terms != consents.CurrentVersion(ConsentPurposes.Terms))
        {
            errors.Add("termsVersion", $"The current terms are version {consents.CurrentVersion(ConsentPurposes.Terms)}.");
        }
        if (privacyVersion is not null && privacyVersion != consents.CurrentVersion(ConsentPurposes.Privacy))
        {
            errors.Add("privacyVersion", $"The current privacy policy is version {consents.CurrentVersion(ConsentPurposes.Privacy)}.");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var userId = http.User.UserId();
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var pending = await consents.PendingAsync(userId, cancellationToken).ConfigureAwait(false);
        foreach (var document in pending)
        {
            consents.Record(userId, document.Purpose, granted: true, ConsentSources.SignIn, http.ClientIp());
        }
        if (pending.Count > 0)
        {
            await auth.AuditAsync("privacy.documents_accepted", userId, userId, http,
                new { documents = pending.Select(d => new { d.Purpose, d.Version }) }, cancellationToken).ConfigureAwait(false);
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok((await GetConsentsAsync(consents, http, cancellationToken).ConfigureAwait(false)).Value!);
    }

    public static async Task<Results<Ok<ConsentHistoryPage>, ValidationProblem>> GetConsentHistoryAsync(
        string? cursor, int? limit, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        Guid? before = cursor is null ? null : errors.Id("cursor", cursor);
        var take = limit ?? 50;
        if (take is < 1 or > 200)
        {
            errors.Add("limit", "Between 1 and 200.");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var userId = http.User.UserId();
        var query = auth.Db.ConsentRecords.AsNoTracking().Where(c => c.UserId == userId);
        if (before is { } b)
        {
            query = query.Where(c => c.Id < b);
        }
        // Version 7 ids grow with time, so id order is time order and a stable cursor.
        var rows = await query.OrderByDescending(c => c.Id).Take(take + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var items = rows.Take(take).Select(c => new ConsentHistoryItem(c.Id.ToString(), c.Kind, c.Version, c.Granted, c.RecordedAt, c.IpAddress, c.Source)).ToList();
        return TypedResults.Ok(new ConsentHistoryPage(items, rows.Count > take ? items[^1].Id : null));
    }

    public static async Task<Ok<List<ExportResponse>>> ListExportsAsync(AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var exports = await auth.Db.PrivacyExports.AsNoTracking().Where(e => e.UserId == userId)
            .OrderByDescending(e => e.RequestedAt).Take(20)
            .Select(e => new { e.Id, e.Status, e.RequestedAt, e.CompletedAt, e.ExpiresAt, e.DownloadedAt, e.ArchiveBytes })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(exports.Select(e => new ExportResponse(e.Id.ToString(), StatusName(e.Status), e.RequestedAt, e.CompletedAt, e.ExpiresAt, e.DownloadedAt, e.ArchiveBytes)).ToList());
    }

    public static async Task<Results<Accepted<ExportResponse>, ProblemHttpResult>> RequestExportAsync(
        AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Serializes one user's concurrent requests: the check below then sees the other's row.
        await auth.Db.Users.FromSql($"SELECT * FROM users WHERE id = {userId} FOR UPDATE").AnyAsync(cancellationToken).ConfigureAwait(false);
        if (await auth.Db.PrivacyExports.AnyAsync(e => e.UserId == userId && e.Status == PrivacyExportStatus.Requested, cancellationToken).ConfigureAwait(false))
        {
            return Problems.Create(StatusCodes.Status409Conflict, PrivacyErrorCodes.ExportInProgress, "An export is already being prepared",
                "Its download link will arrive by email.");
        }
        var export = new PrivacyExport { Id = Guid.CreateVersion7(), UserId = userId, Status = PrivacyExportStatus.Requested, RequestedAt = auth.Now };
        auth.Db.PrivacyExports.Add(export);
        await auth.AuditAsync("privacy.export_requested", userId, userId, http, new { exportId = export.Id }, cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted($"/api/v1/privacy/exports", new ExportResponse(export.Id.ToString(), StatusName(export.Status), export.RequestedAt, null, null, null, null));
    }

    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> DownloadExportAsync(
        string id, DownloadExportRequest request, AuthService auth, IDataProtectionProvider dataProtection, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var exportId = errors.Id("id", id);
        var token = errors.Text("token", request.Token, 4096);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var link = ExportLink.Read(dataProtection, token!, auth.Now);
        if (link is null || link.Value.ExportId != exportId)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidToken, "Invalid or expired link", "Request a new export.");
        }
        var userId = http.User.UserId();
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var export = await auth.Db.PrivacyExports
            .FromSql($"SELECT * FROM privacy_exports WHERE id = {exportId!.Value} AND user_id = {userId} FOR UPDATE")
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (export is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No such export");
        }
        if (export.Status != PrivacyExportStatus.Ready || export.Archive is null || export.ExpiresAt <= auth.Now)
        {
            return Problems.Create(StatusCodes.Status410Gone, PrivacyErrorCodes.ExportUnavailable, "This export is no longer available",
                "Links work once and expire; request a new export.");
        }
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ExportLink.HashNonce(link.Value.Nonce)), Encoding.ASCII.GetBytes(export.NonceHash ?? "")))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidToken, "Invalid or expired link", "Request a new export.");
        }
        var archive = dataProtection.CreateProtector(PrivacyProtection.ArchivePurpose).Unprotect(export.Archive);
        // Single use: the archive goes with the first download.
        export.Status = PrivacyExportStatus.Downloaded;
        export.DownloadedAt = auth.Now;
        export.Archive = null;
        await auth.AuditAsync("privacy.export_downloaded", userId, userId, http, new { exportId = export.Id, bytes = archive.Length }, cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.File(archive, "application/zip", $"coinage-data-{export.RequestedAt:yyyyMMdd}-{export.Id:N}.zip");
    }

    public static async Task<Results<Ok<ErasureResponse>, NoContent>> GetErasureAsync(AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var request = await auth.Db.ErasureRequests.AsNoTracking().Where(e => e.UserId == userId)
            .OrderByDescending(e => e.RequestedAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return request is null ? TypedResults.NoContent() : TypedResults.Ok(ToResponse(request));
    }

    public static async Task<Results<Accepted<ErasureResponse>, ValidationProblem, ProblemHttpResult, NotFound>> RequestErasureAsync(
        ErasureRequestBody request, AuthService auth, TotpService totp, IOptions<PrivacyOptions> options, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var password = errors.Password("password", request.Password);
        var code = request.Code is null ? null : errors.Code("code", request.Code);
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var userId = http.User.UserId();
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await auth.Users.FindByIdAsync(userId.ToString()).ConfigureAwait(false);
        if (user is null)
        {
            return TypedResults.NotFound();
        }
        if (!await auth.Users.CheckPasswordAsync(user, password!).ConfigureAwait(false))
        {
            return Problems.Validation("password", "The password is wrong.");
        }
        if (user.TwoFactorEnabled)
        {
            if (code is null)
            {
                return Problems.Validation("code", "Two-factor authentication is on: the current code is required.");
            }
            if (!totp.VerifyAndConsume(user, code))
            {
                return Problems.Validation("code", "The code is wrong, expired or already used.");
            }
            await auth.Users.UpdateAsync(user).ConfigureAwait(false);
        }
        if (await ErasureEligibility.CheckAsync(auth.Db, userId, cancellationToken).ConfigureAwait(false) is { } reason)
        {
            return Problems.Create(StatusCodes.Status409Conflict, reason, "The account cannot be erased yet", ErasureEligibility.Describe(reason));
        }
        if (await auth.Db.ErasureRequests.AnyAsync(e => e.UserId == userId && e.Status == ErasureStatus.Scheduled, cancellationToken).ConfigureAwait(false))
        {
            return AlreadyScheduled();
        }
        var erasure = new ErasureRequest
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Status = ErasureStatus.Scheduled,
            RequestedAt = auth.Now,
            EffectiveAt = auth.Now + options.Value.ErasureGracePeriod,
        };
        auth.Db.ErasureRequests.Add(erasure);
        await auth.AuditAsync("privacy.erasure_requested", userId, userId, http, new { erasureId = erasure.Id, effectiveAt = erasure.EffectiveAt }, cancellationToken).ConfigureAwait(false);
        IdentityEmails.Enqueue(auth.Db, PrivacyEmails.ErasureScheduled, user, auth.Now, new Dictionary<string, string?>
        {
            ["effectiveAt"] = erasure.EffectiveAt.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
        });
        try
        {
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            return AlreadyScheduled(); // A concurrent request won the unique index.
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted("/api/v1/privacy/erasure", ToResponse(erasure));
    }

    public static async Task<Results<Ok<ErasureResponse>, ProblemHttpResult>> CancelErasureAsync(AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Locked so the erasure job (which takes the same row) cannot start while it is being cancelled.
        var erasure = await auth.Db.ErasureRequests
            .FromSql($"SELECT * FROM erasure_requests WHERE user_id = {userId} AND status = 0 FOR UPDATE")
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (erasure is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "No erasure is scheduled");
        }
        erasure.Status = ErasureStatus.Cancelled;
        erasure.CancelledAt = auth.Now;
        var user = await auth.Db.Users.FirstAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false);
        await auth.AuditAsync("privacy.erasure_cancelled", userId, userId, http, new { erasureId = erasure.Id }, cancellationToken).ConfigureAwait(false);
        IdentityEmails.Enqueue(auth.Db, PrivacyEmails.ErasureCancelled, user, auth.Now);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(ToResponse(erasure));
    }

    private static ProblemHttpResult AlreadyScheduled() =>
        Problems.Create(StatusCodes.Status409Conflict, PrivacyErrorCodes.ErasureAlreadyScheduled, "An erasure is already scheduled", "Cancel it first to change it.");

    private static ErasureResponse ToResponse(ErasureRequest e) =>
        new(e.Id.ToString(), e.Status switch
        {
            ErasureStatus.Scheduled => "scheduled",
            ErasureStatus.Cancelled => "cancelled",
            ErasureStatus.Completed => "completed",
            _ => "refused",
        }, e.RequestedAt, e.EffectiveAt, e.CancelledAt, e.RefusedReason);

    private static string StatusName(PrivacyExportStatus status) => status switch
    {
        PrivacyExportStatus.Requested => "requested",
        PrivacyExportStatus.Ready => "ready",
        PrivacyExportStatus.Downloaded => "downloaded",
        _ => "expired",
    };
}
