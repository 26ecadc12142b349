using System.Globalization;
using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Aggregations;
using Elastic.Clients.Elasticsearch.QueryDsl;

namespace Coinage.Domain.Search;

/// <summary>Search through the indices' aliases. Filters go in <c>filter</c> (cached, unscored); results are newest first by sequence.</summary>
public sealed class ElasticsearchSearchBackend(ElasticsearchClient client) : ISearchBackend
{
    public const string BackendName = "elasticsearch";
    public const string ActionsAggregation = "actions";

    public string Name => BackendName;

    public async Task<AuditSearchResult> SearchAuditAsync(AuditSearchQuery query, CancellationToken cancellationToken)
    {
        var response = (await client.SearchAsync<AuditDocument>(AuditQuery(query), cancellationToken).ConfigureAwait(false)).Ensure("search");
        var hits = Sources(response);
        var items = hits.Take(query.Size).ToList();
        var buckets = response.Aggregations?.GetStringTerms(ActionsAggregation)?.Buckets ?? [];
        return new AuditSearchResult(items, hits.Count > query.Size ? items[^1].DocumentId : null,
            [.. buckets.Select(b => new ActionCount(b.Key.ToString(), b.DocCount))]);
    }

    public async Task<SearchPage<OrderDocument>> SearchOrdersAsync(OrderSearchQuery query, CancellationToken cancellationToken)
    {
        var response = (await client.SearchAsync<OrderDocument>(OrdersQuery(query), cancellationToken).ConfigureAwait(false)).Ensure("search");
        var hits = Sources(response);
        var items = hits.Take(query.Size).ToList();
        return new SearchPage<OrderDocument>(items, hits.Count > query.Size ? items[^1].Seq.ToString(CultureInfo.InvariantCulture) : null);
    }

    public async Task<SearchPage<FillDocument>> SearchFillsAsync(FillSearchQuery query, CancellationToken cancellationToken)
    {
        var response = (await client.SearchAsync<FillDocument>(FillsQuery(query), cancellationToken).ConfigureAwait(false)).Ensure("search");
        var hits = Sources(response);
        var items = hits.Take(query.Size).ToList();
        return new SearchPage<FillDocument>(items, hits.Count > query.Size ? items[^1].Seq.ToString(CultureInfo.InvariantCulture) : null);
    }

    private static List<T> Sources<T>(SearchResponse<T> response) =>
        [.. response.HitsMetadata.Hits.Select(h => h.Source ?? throw new ElasticsearchException($"A hit of {h.Index} has no _source.", null, null))];

    /// <summary>
    /// The cursor is a <c>post_filter</c>, so the action counts are those of the whole search, not of
    /// the page; one hit more than the page tells whether there is a next one.
    /// </summary>
    public static SearchRequest AuditQuery(AuditSearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = new List<Query>();
        if (query.Actions.Count > 0)
        {
            filter.Add(Terms("action", query.Actions));
        }
        AddTimeRange(filter, "occurredAt", query.From, query.To);
        var must = new List<Query>();
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim();
            var exact = Guid.TryParse(text, out var user) ? user.ToString("D") : text;
            var should = new List<Query>
            {
                Term("actorUserId", exact),
                Term("subjectUserId", exact),
                Term("ipAddress", text),
            };
            if (SearchText.Words(text) is { Count: > 0 } words)
            {
                // cross_fields + and: every word in the action or the details, as the fallback does.
                should.Add(new MultiMatchQuery(string.Join(' ', words))
                {
                    Fields = new[] { "action.text", "data" },
                    Type = TextQueryType.CrossFields,
                    Operator = Operator.And,
                });
            }
            must.Add(new BoolQuery { Should = should, MinimumShouldMatch = 1 });
        }
        return new SearchRequest(SearchIndices.Audit.Alias)
        {
            Size = query.Size + 1,
            TrackTotalHits = new(false),
            Sort = [Newest("sequence")],
            Query = new BoolQuery { Filter = filter, Must = must },
            Aggregations = new Dictionary<string, Aggregation>
            {
                [ActionsAggregation] = new TermsAggregation { Field = "action", Size = AuditSearchQuery.ActionBuckets },
            },
            PostFilter = query.Before is { } before ? new LongNumberRangeQuery("sequence") { Lt = before } : (Query?)null,
        };
    }

    public static SearchRequest OrdersQuery(OrderSearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = new List<Query> { Term("userId", query.UserId.ToString("D")) };
        if (query.Market is not null)
        {
            filter.Add(Term("market", query.Market));
        }
        if (query.Side is not null)
        {
            filter.Add(Term("side", query.Side));
        }
        if (query.Statuses.Count > 0)
        {
            filter.Add(Terms("status", query.Statuses));
        }
        AddTimeRange(filter, "createdAt", query.From, query.To);
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim();
            filter.Add(new BoolQuery { Should = [Term("id", text), Term("clientOrderId", text)], MinimumShouldMatch = 1 });
        }
        if (query.Before is { } before)
        {
            filter.Add(new LongNumberRangeQuery("seq") { Lt = before });
        }
        return Page(SearchIndices.Orders.Alias, filter, query.Size);
    }

    public static SearchRequest FillsQuery(FillSearchQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = new List<Query> { Term("userId", query.UserId.ToString("D")) };
        if (query.Market is not null)
        {
            filter.Add(Term("market", query.Market));
        }
        if (query.Side is not null)
        {
            filter.Add(Term("side", query.Side));
        }
        if (query.Liquidity is not null)
        {
            filter.Add(Term("liquidity", query.Liquidity));
        }
        AddTimeRange(filter, "createdAt", query.From, query.To);
        if (query.Before is { } before)
        {
            filter.Add(new LongNumberRangeQuery("seq") { Lt = before });
        }
        return Page(SearchIndices.Fills.Alias, filter, query.Size);
    }

    private static SearchRequest Page(string index, List<Query> filter, int size) => new(index)
    {
        Size = size + 1,
        TrackTotalHits = new(false),
        Sort = [Newest("seq")],
        Query = new BoolQuery { Filter = filter },
    };

    private static SortOptions Newest(string field) => new FieldSort(field) { Order = SortOrder.Desc };

    private static void AddTimeRange(List<Query> filter, string field, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is null && to is null)
        {
            return;
        }
        filter.Add(new DateRangeQuery(field)
        {
            Gte = from is { } f ? DateMath.Anchored(f.UtcDateTime) : null,
            Lt = to is { } t ? DateMath.Anchored(t.UtcDateTime) : null,
        });
    }

    private static TermQuery Term(string field, string value) => new(field, value);

    private static TermsQuery Terms(string field, IEnumerable<string> values) =>
        new(field, new TermsQueryField([.. values.Select(v => (FieldValue)v)]));
}
