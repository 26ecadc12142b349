using Coinage.Domain.Audit;
using Coinage.Domain.Search;

namespace Coinage.Domain.Tests.Search;

/// <summary>The query bodies sent to _search, and the documents built from rows.</summary>
public sealed class SearchQueryTests
{
    [Fact]
    public void Audit_search_filters_matches_words_or_exact_ids_and_pages_with_a_post_filter()
    {
        var user = Guid.Parse("0b6a4c35-51f3-4c39-9a50-3f7d7a3c1a11");
        var query = new AuditSearchQuery(user.ToString("N"), ["auth.signed_in"], new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), null, 100, 25);
        Assert.Equal(
            """{"size":26,"track_total_hits":false,"sort":[{"sequence":"desc"}],"query":{"bool":{"filter":[{"terms":{"action":["auth.signed_in"]}},""" +
            """{"range":{"occurredAt":{"gte":"2026-11-01T00:00:00.0000000Z"}}}],"must":[{"bool":{"should":[""" +
            """{"term":{"actorUserId":"0b6a4c35-51f3-4c39-9a50-3f7d7a3c1a11"}},{"term":{"subjectUserId":"0b6a4c35-51f3-4c39-9a50-3f7d7a3c1a11"}},""" +
            """{"term":{"ipAddress":"0b6a4c3551f34c399a503f7d7a3c1a11"}},""" +
            """{"multi_match":{"query":"0b6a4c3551f34c399a503f7d7a3c1a11","fields":["action.text","data"],"type":"cross_fields","operator":"and"}}],"minimum_should_match":1}}]}},"aggs":{"actions":{"terms":{"field":"action","size":20}}},"post_filter":{"range":{"sequence":{"lt":100}}}}""",
            ElasticsearchSearchBackend.AuditQuery(query).ToJsonString());
    }

    [Fact]
    public void Order_search_is_always_limited_to_the_user()
    {
        var user = Guid.NewGuid();
        var body = ElasticsearchSearchBackend.OrdersQuery(new OrderSearchQuery(user, "my-order-1", "BTC-USD", "buy", ["open", "filled"], null, null, null, 10)).ToJsonString();
        Assert.StartsWith("""{"size":11,"track_total_hits":false,"sort":[{"seq":"desc"}],"query":{"bool":{"filter":[{"term":{"userId":""" + $"\"{user:D}\"}}}},", body, StringComparison.Ordinal);
        Assert.Contains("""{"terms":{"status":["open","filled"]}}""", body, StringComparison.Ordinal);
        Assert.Contains("""{"bool":{"should":[{"term":{"id":"my-order-1"}},{"term":{"clientOrderId":"my-order-1"}}],"minimum_should_match":1}}""", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Audit_documents_of_erased_users_carry_the_pseudonym_and_neither_ip_nor_details()
    {
        var erased = Guid.NewGuid();
        var admin = Guid.NewGuid();
        var entry = new AuditEntry
        {
            Sequence = 9, OccurredAt = DateTimeOffset.UnixEpoch, Action = "admin.user_locked", ActorUserId = admin, SubjectUserId = erased,
            IpAddress = "10.1.2.3", Data = """{"email":"erased@example.test"}""", Hash = "h",
        };
        var kept = SearchDocumentFactory.Audit(entry, new Dictionary<Guid, string>());
        Assert.Equal((admin.ToString("D"), erased.ToString("D"), "10.1.2.3"), (kept.ActorUserId, kept.SubjectUserId, kept.IpAddress));
        var pseudonymised = SearchDocumentFactory.Audit(entry, new Dictionary<Guid, string> { [erased] = "erased-7f3a" });
        Assert.Equal(new AuditDocument(9, DateTimeOffset.UnixEpoch, "admin.user_locked", admin.ToString("D"), "erased-7f3a", null, "{}", "h"), pseudonymised);
    }

    [Fact]
    public void Search_text_splits_like_the_index_analyzer()
    {
        Assert.Equal(["auth", "sign", "in", "failed", "alice@coinage", "local"], SearchText.Words("AUTH.sign_in  failed alice@coinage.local"));
        Assert.Empty(SearchText.Words(" ._- "));
    }
}
