using Coinage.ApiService.Identity;
using Coinage.ApiService.Identity.Tokens;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Coinage.ApiService.Admin;

public sealed record HangfireTicketResponse(string Ticket, string Url, DateTimeOffset ExpiresAt);

/// <summary>
/// <c>/api/v1/admin/ops</c>: what an Admin needs to reach the back office. The browser holds its
/// access token in memory only, so it cannot carry it to the Worker's Hangfire dashboard; it asks
/// here for a short-lived, single-use ticket that the Worker exchanges for its own cookie.
/// </summary>
public static class OpsApi
{
    /// <summary>The audience of tickets: an access token (audience <c>coinage-api</c>) is no ticket, and a ticket no access token.</summary>
    public const string HangfireAudience = "coinage-hangfire";

    public static readonly TimeSpan TicketLifetime = TimeSpan.FromSeconds(60);

    /// <summary>Redis key prefix of issued, not yet used tickets; the Worker deletes the key to use one.</summary>
    public const string TicketKeyPrefix = "coinage:hangfire-ticket:";

    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder routes)
    {
        var ops = routes.MapGroup("/api/v1/admin/ops").WithTags("Administration")
            .RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        ops.MapPost("/hangfire-ticket", IssueHangfireTicketAsync)
            .WithSummary("A single-use ticket (60 s) that opens the Worker's Hangfire dashboard")
            .WithDescription("Open the returned url in the browser: the Worker checks the ticket, sets its own HttpOnly cookie for /hangfire and redirects to the dashboard.");
        return routes;
    }

    public static async Task<Ok<HangfireTicketResponse>> IssueHangfireTicketAsync(
        HttpContext http, JwtSettings settings, SigningKeys keys, IConnectionMultiplexer redis, AuthService auth,
        IConfiguration configuration, CancellationToken cancellationToken)
    {
        var now = auth.Now;
        var expires = now + TicketLifetime;
        var jti = Guid.NewGuid().ToString("N");
        var userId = http.User.UserId();
        var ticket = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = HangfireAudience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(keys.Active, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = userId.ToString(),
                [JwtRegisteredClaimNames.Jti] = jti,
                [AccessTokenIssuer.RoleClaim] = http.User.FindAll(AccessTokenIssuer.RoleClaim).Select(c => c.Value).ToArray(),
            },
        });
        await using (var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false))
        {
            await auth.AuditAsync("admin.hangfire_ticket_issued", userId, userId, http, new { jti }, cancellationToken).ConfigureAwait(false);
            await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        // A little longer than the ticket itself, so clock skew cannot make a valid ticket unusable.
        await redis.GetDatabase().StringSetAsync(TicketKeyPrefix + jti, userId.ToString(), TicketLifetime + TimeSpan.FromSeconds(30)).ConfigureAwait(false);

        var path = $"/hangfire?ticket={Uri.EscapeDataString(ticket)}";
        // Where the Worker is reachable from the browser (the AppHost passes its endpoint).
        var baseUrl = configuration["Coinage:Hangfire:BaseUrl"]?.TrimEnd('/');
        return TypedResults.Ok(new HangfireTicketResponse(ticket, baseUrl + path, expires));
    }
}
