using Coinage.ApiService.Identity.Tokens;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.Identity.Devices;

/// <param name="Kind"><c>browser</c> (recognised by its device cookie) or <c>client</c> (a program: its User-Agent and IP network).</param>
/// <param name="LastSeenAt">The last sign-in from it.</param>
public sealed record KnownDeviceResponse(string Id, string Label, string Kind, DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt, string? LastIpAddress);

/// <summary><c>/api/v1/account/devices</c>: the devices the user signed in from, and forgetting one.</summary>
public static class DevicesApi
{
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder routes)
    {
        var devices = routes.MapGroup("/api/v1/account/devices").WithTags("Account")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        devices.MapGet("", ListAsync).WithSummary("Known devices, last seen first: a sign-in from any other one is emailed");
        devices.MapDelete("/{id}", ForgetAsync)
            .WithSummary("Forget a device: the next sign-in from it counts as new (emailed). Its sessions stay: revoke them under sessions")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    public static async Task<Ok<List<KnownDeviceResponse>>> ListAsync(AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        var userId = http.User.UserId();
        var devices = await auth.Db.KnownDevices.AsNoTracking()
            .Where(d => d.UserId == userId)
            .OrderByDescending(d => d.LastSeenAt)
            .Take(200)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(devices.Select(d => new KnownDeviceResponse(d.Id.ToString(), d.Label, d.Kind, d.FirstSeenAt, d.LastSeenAt, d.LastIpAddress)).ToList());
    }

    /// <summary>Another user's device id answers 404, exactly like an unknown one.</summary>
    public static async Task<Results<NoContent, NotFound>> ForgetAsync(string id, AuthService auth, HttpContext http, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var deviceId))
        {
            return TypedResults.NotFound();
        }
        var userId = http.User.UserId();
        await using var transaction = await auth.Db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await auth.Db.KnownDevices.Where(d => d.Id == deviceId && d.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        if (deleted == 0)
        {
            return TypedResults.NotFound();
        }
        await auth.AuditAsync("auth.device_forgotten", userId, userId, http, new { deviceId }, cancellationToken).ConfigureAwait(false);
        await auth.Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }
}
