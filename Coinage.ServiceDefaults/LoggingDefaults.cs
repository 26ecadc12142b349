using System.Security.Cryptography;
using System.Text;
using Coinage.ServiceDefaults.Compliance;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Logs every service writes: trace and span ids on every line (so a console line leads to its
/// trace), JSON on the console outside Development (one object per line, UTC ISO-8601 timestamps,
/// scopes), and the <see cref="CoinageTaxonomy"/> redacted before any provider sees a value.
/// </summary>
public static class LoggingDefaults
{
    /// <summary>Any string; the HMAC key is derived from it. The AppHost passes a generated secret.</summary>
    public const string HmacKeySetting = "Coinage:Redaction:HmacKey";

    /// <summary>An integer written in front of every HMAC token (<c>KeyId:hash</c>), to tell keys apart after a rotation.</summary>
    public const string HmacKeyIdSetting = "Coinage:Redaction:KeyId";

    public static TBuilder ConfigureLogging<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.Configure(options =>
            options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (!builder.Environment.IsDevelopment())
        {
            builder.Logging.AddJsonConsole(options =>
            {
                options.IncludeScopes = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.fffffff'Z'";
                options.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }

        // No per-tag discriminator: an address gives the same token as {Email}, {To} or {Partition},
        // in every service sharing the key, so one person's lines can be followed across them.
        builder.Logging.EnableRedaction(options => options.ApplyDiscriminator = false);
        var key = HmacKey(builder.Configuration[HmacKeySetting]);
        var keyId = builder.Configuration.GetValue(HmacKeyIdSetting, 1);
        builder.Services.AddRedaction(redaction =>
        {
            redaction.SetRedactor<ErasingRedactor>(new DataClassificationSet(CoinageTaxonomy.Secret));
#pragma warning disable EXTEXP0002 // The HMAC redactor is marked experimental; its output format is what we document.
            redaction.SetHmacRedactor(options =>
            {
                options.Key = key;
                options.KeyId = keyId;
            }, new DataClassificationSet(CoinageTaxonomy.PersonalData));
#pragma warning restore EXTEXP0002
            // A classification nobody mapped is treated as the worst case, not printed.
            redaction.SetFallbackRedactor<ErasingRedactor>();
        });
        // Around the redacting factory just registered: lines from framework code (URLs with tokens in their query) too.
        QueryRedactingLoggerFactory.Decorate(builder.Services);
        return builder;
    }

    /// <summary>
    /// 32 bytes (base64) derived from the configured secret. Without one, a random key for this
    /// process: values stay redacted, only their tokens differ between processes and restarts.
    /// </summary>
    internal static string HmacKey(string? secret) => Convert.ToBase64String(string.IsNullOrEmpty(secret)
        ? RandomNumberGenerator.GetBytes(32)
        : HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: Encoding.UTF8.GetBytes("coinage-log-redaction")));
}
