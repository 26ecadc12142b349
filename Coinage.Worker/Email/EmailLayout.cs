using System.Text;
using static System.Net.WebUtility;

namespace Coinage.Worker.Email;

/// <summary>
/// The HTML part every email shares. Mail clients strip &lt;style&gt; blocks and ignore most CSS, so the layout
/// is a single centred table with inline styles, the link is a button drawn by its own padding (no image) and
/// repeated as text under it, and colours keep at least 4.5:1 contrast. Every value that comes from a user or
/// the payload is HTML-encoded here, in one place: a passkey name or a phrase cannot carry markup into an email.
/// </summary>
public static class EmailLayout
{
    private const string Font = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";

    public static string Html(string subject, string? antiPhishingPhrase, IEnumerable<string> lines, string link, string action)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(HtmlEncode(subject)).Append("</title></head>")
            .Append("<body style=\"margin:0;padding:0;background:#f4f5f7;").Append(Font).Append("\">")
            .Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#f4f5f7;\"><tr><td align=\"center\" style=\"padding:24px 12px;\">")
            .Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\"max-width:560px;background:#ffffff;border-radius:8px;border:1px solid #dde1e6;\">");
        if (!string.IsNullOrEmpty(antiPhishingPhrase))
        {
            // First thing read: a phishing email cannot know it.
            html.Append("<tr><td style=\"padding:12px 24px;background:#e8f0fe;border-radius:8px 8px 0 0;color:#1a1f36;font-size:14px;\">")
                .Append("Your anti-phishing phrase: <strong>").Append(HtmlEncode(antiPhishingPhrase)).Append("</strong>")
                .Append("</td></tr>");
        }
        html.Append("<tr><td style=\"padding:24px 24px 0;\">")
            .Append("<p style=\"margin:0 0 16px;font-size:20px;font-weight:700;color:#1a1f36;\">Coinage</p>")
            .Append("<h1 style=\"margin:0 0 16px;font-size:22px;line-height:1.3;color:#1a1f36;\">").Append(HtmlEncode(subject)).Append("</h1>");
        foreach (var line in lines)
        {
            html.Append("<p style=\"margin:0 0 16px;font-size:16px;line-height:1.5;color:#1a1f36;\">").Append(HtmlEncode(line)).Append("</p>");
        }
        var href = HtmlEncode(link);
        html.Append("</td></tr><tr><td style=\"padding:8px 24px 24px;\">")
            .Append("<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\"><tr><td style=\"border-radius:6px;background:#1565c0;\">")
            .Append("<a href=\"").Append(href).Append("\" style=\"display:inline-block;padding:12px 24px;font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;\">")
            .Append(HtmlEncode(action)).Append("</a></td></tr></table>")
            .Append("<p style=\"margin:16px 0 0;font-size:13px;line-height:1.5;color:#4f566b;\">If the button does not work, open this address:<br>")
            .Append("<a href=\"").Append(href).Append("\" style=\"color:#1565c0;word-break:break-all;\">").Append(href).Append("</a></p>")
            .Append("</td></tr><tr><td style=\"padding:16px 24px;border-top:1px solid #dde1e6;font-size:13px;color:#4f566b;\">")
            .Append("— Coinage. We never ask for your password or codes by email.")
            .Append("</td></tr></table></td></tr></table></body></html>");
        return html.ToString();
    }
}
