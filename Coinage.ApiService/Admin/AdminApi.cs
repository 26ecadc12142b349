using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.Sessions;
using Coinage.ApiService.Identity.StepUp;
using Coinage.ApiService.Identity.Tokens;
using Coinage.Domain.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Admin;

/// <param name="TradingSuspended">An Admin suspended the user's trading (<c>/api/v1/admin/users/{id}/trading-suspension</c>).</param>
public sealed record AdminUserResponse(string Id, string Email, bool EmailVerified, bool TwoFactorEnabled, bool LockedOut, DateTimeOffset? LockoutEnd, DateTimeOffset CreatedAt, IReadOnlyList<string> Roles,
    bool TradingSuspended = false);

public sealed record AdminUserPage(IReadOnlyList<AdminUserResponse> Items, string? NextCursor);

/// <summary><c>/api/v1/admin/users</c>: list/search (Support, Admin), lock/unlock and roles (Admin).</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/admin/users").WithTags("Administration")
            .RequireAuthorization(Policies.Support)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapGet("", ListUsersAsync)
            .WithSummary("Users, newest first, optionally filtered by an email fragment; cursor-paginated")
            .ProducesValidationProblem();
        admin.MapPost("/{id}/lock", LockAsync).RequireAuthorization(Policies.Admin).RequireStepUp()
            .WithSummary("Lock the account and revoke its sessions (not one's own: 409 cannot_modify_own_access)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapPost("/{id}/unlock", UnlockAsync).RequireAuthorization(Policies.Admin).RequireStepUp()
            .WithSummary("Unlock the account").ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPut("/{id}/roles/{role}", GrantRoleAsync).RequireAuthorization(Policies.Admin).RequireStepUp()
            .WithSummary("Grant a role (Trader, Support, Compliance, Admin)").ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapDelete("/{id}/roles/{role}", RevokeRoleAsync).RequireAuthorization(Policies.Admin).RequireStepUp()
            .WithSummary("Revoke a role (not one's own Admin role: 409 cannot_modify_own_access)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return routes;
    }

    public static async Task<Results<Ok<AdminUserPage>, ValidationProblem>> ListUsersAsync(
        string? search, string? cursor, int? limit, AuthService auth, CancellationToken cancellationToken)
    {
        var errors = new InputErrors();
        var term = errors.Text("search", search, 254, required: false);
        Guid? after = null;
        if (cursor is not null)
        {
            after = errors.Id("cursor", cursor);
        }
        var take = limit ?? 50;
        if (take is < 1 or > 200)
        {
            errors.Add("limit", "Between 1 and 200.");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var query = auth.Db.Users.AsNoTracking();
        if (term is not null)
        {
            var normalized = term.ToUpperInvariant();
            query = query.Where(u => u.NormalizedEmail!.Contains(normalized));
        }
        // Ids are UUIDv7: ordering by id is ordering by creation.
        if (after is { } afterId)
        {
            query = query.Where(u => u.Id.CompareTo(afterId) < 0);
        }
        var users = await query.OrderByDescending(u => u.Id).Take(take + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var page = users.Take(take).ToList();
        var ids = page.Select(u => u.Id).ToList();
        var roles = await (from ur in auth.Db.UserRoles
                           join r in auth.Db.Roles on ur.RoleId equals r.Id
                           where ids.Contains(ur.UserId)
                           select new { ur.UserId, r.Name }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var suspended = (await auth.Db.Traders.AsNoTracking().Where(t => ids.Contains(t.UserId) && t.TradingSuspendedAt != null).Select(t => t.UserId)
            .ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet();
        var now = auth.Now;
        var items = page.Select(u => new AdminUserResponse(u.Id.ToString(), u.Email!, u.EmailConfirmed, u.TwoFactorEnabled,
            u.LockoutEnd > now, u.LockoutEnd, u.CreatedAt,
            roles.Where(r => r.UserId == u.Id).Select(r => r.Name!).Order(StringComparer.Ordinal).ToList(), suspended.Contains(u.Id))).ToList();
        return TypedResults.Ok(new AdminUserPage(items, users.Count > take ? page[^1].Id.ToString() : null));
    }

    public static async Task<Results<NoContent, NotFound, ProblemHttpResult>> LockAsync(string id, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        if (await FindAsync(auth, id).ConfigureAwait(false) is not { } user)
        {
            return TypedResults.NotFound();
        }
        if (user.Id == http.User.UserId())
        {
            return OwnAccess("An administrator cannot lock their own account.");
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await auth.Users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue).ConfigureAwait(false);
        var revoked = await auth.Sessions.RevokeAsync(user.Id, "locked_by_admin", cancellationToken: cancellationToken).ConfigureAwait(false);
        await auth.AuditAsync("admin.user_locked", http.User.UserId(), user.Id, http, cancellationToken: cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await auth.Sessions.PublishRevocationsAsync(revoked).ConfigureAwait(false);
        await auth.Sessions.BumpAccessVersionAsync(user.Id).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, NotFound>> UnlockAsync(string id, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        if (await FindAsync(auth, id).ConfigureAwait(false) is not { } user)
        {
            return TypedResults.NotFound();
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await auth.Users.SetLockoutEndDateAsync(user, null).ConfigureAwait(false);
        await auth.Users.ResetAccessFailedCountAsync(user).ConfigureAwait(false);
        await auth.AuditAsync("admin.user_unlocked", http.User.UserId(), user.Id, http, cancellationToken: cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    public static Task<Results<NoContent, NotFound, ProblemHttpResult>> GrantRoleAsync(string id, string role, AuthService auth, HttpContext http, CancellationToken cancellationToken) =>
        ChangeRoleAsync(id, role, grant: true, auth, http, cancellationToken);

    public static Task<Results<NoContent, NotFound, ProblemHttpResult>> RevokeRoleAsync(string id, string role, AuthService auth, HttpContext http, CancellationToken cancellationToken) =>
        ChangeRoleAsync(id, role, grant: false, auth, http, cancellationToken);

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> ChangeRoleAsync(string id, string role, bool grant, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var name = Roles.All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
        if (name is null || await FindAsync(auth, id).ConfigureAwait(false) is not { } user)
        {
            return TypedResults.NotFound();
        }
        if (!grant && name == Roles.Admin && user.Id == http.User.UserId())
        {
            // The last administrator could otherwise leave the platform with none.
            return OwnAccess("An administrator cannot revoke their own Admin role; another administrator must.");
        }
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var has = await auth.Users.IsInRoleAsync(user, name).ConfigureAwait(false);
        if (grant && !has)
        {
            await auth.Users.AddToRoleAsync(user, name).ConfigureAwait(false);
        }
        else if (!grant && has)
        {
            await auth.Users.RemoveFromRoleAsync(user, name).ConfigureAwait(false);
        }
        await auth.AuditAsync(grant ? "admin.role_granted" : "admin.role_revoked", http.User.UserId(), user.Id, http, new { role = name }, cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        // The user's tokens still list the old roles: refused from the next request on, on every replica.
        await auth.Sessions.BumpAccessVersionAsync(user.Id).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult OwnAccess(string detail) =>
        Problems.Create(StatusCodes.Status409Conflict, ErrorCodes.CannotModifyOwnAccess, "Not allowed on your own account.", detail);

    private static async Task<CoinageUser?> FindAsync(AuthService auth, string id) =>
        Guid.TryParse(id, out var userId) ? await auth.Users.FindByIdAsync(userId.ToString()).ConfigureAwait(false) : null;
}
