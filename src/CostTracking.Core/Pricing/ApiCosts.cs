namespace CostTracking.Pricing;

/// <summary>Typed list prices of the third-party APIs CostTracking knows out of the box, in US dollars.</summary>
/// <remarks>
/// These constants are the defaults of the runtime <see cref="IPriceRegistry"/>, which also takes additions and
/// overrides from options and configuration: prefer the registry when prices may change without a release.
/// Each API's <c>Key</c> is its key in the registry.
/// </remarks>
public static class ApiCosts
{
    /// <summary>Google Maps Platform (Places API), pay-as-you-go list prices.</summary>
    public static class GoogleMaps
    {
        /// <summary>The provider name recorded with Google Maps calls.</summary>
        public const string Provider = "google_maps";

        /// <summary>Places Autocomplete, billed per request.</summary>
        public static class PlacesAutocomplete
        {
            /// <summary>The registry key.</summary>
            public const string Key = "google_maps.places_autocomplete";

            /// <summary>Price of one request: $0.00283.</summary>
            public const decimal PerRequest = 0.00283m;

            /// <summary>Price of 1,000 requests: $2.83.</summary>
            public const decimal Per1000 = 2.83m;
        }

        /// <summary>Autocomplete requests of a session that ends in a Place Details call: billed with that call, not on their own.</summary>
        public static class AutocompleteSessionUsage
        {
            /// <summary>The registry key.</summary>
            public const string Key = "google_maps.places_autocomplete_session";

            /// <summary>Price of one autocomplete request inside a completed session: $0.</summary>
            public const decimal PerRequest = 0m;

            /// <summary>Price of 1,000 such requests: $0.</summary>
            public const decimal Per1000 = 0m;
        }

        /// <summary>Place Details, billed per request.</summary>
        public static class PlaceDetails
        {
            /// <summary>The registry key.</summary>
            public const string Key = "google_maps.place_details";

            /// <summary>Price of one request: $0.017.</summary>
            public const decimal PerRequest = 0.017m;

            /// <summary>Price of 1,000 requests: $17.</summary>
            public const decimal Per1000 = 17m;
        }
    }

    /// <summary>Pinecone serverless (Standard plan): priced by read and write units; a request is taken as one unit.</summary>
    public static class Pinecone
    {
        /// <summary>The provider name recorded with Pinecone calls.</summary>
        public const string Provider = "pinecone";

        /// <summary>A query: one read unit at $16 per million read units.</summary>
        public static class Query
        {
            /// <summary>The registry key.</summary>
            public const string Key = "pinecone.query";

            /// <summary>Price of one request: $0.000016.</summary>
            public const decimal PerRequest = 0.000016m;

            /// <summary>Price of 1,000 requests: $0.016.</summary>
            public const decimal Per1000 = 0.016m;
        }

        /// <summary>An upsert: one write unit at $4 per million write units.</summary>
        public static class Upsert
        {
            /// <summary>The registry key.</summary>
            public const string Key = "pinecone.upsert";

            /// <summary>Price of one request: $0.000004.</summary>
            public const decimal PerRequest = 0.000004m;

            /// <summary>Price of 1,000 requests: $0.004.</summary>
            public const decimal Per1000 = 0.004m;
        }
    }

    /// <summary>Neo4j AuraDB: billed by provisioned capacity per hour, not per query.</summary>
    public static class Neo4j
    {
        /// <summary>The provider name recorded with Neo4j calls.</summary>
        public const string Provider = "neo4j";

        /// <summary>A Cypher query. Its marginal price is zero on capacity-priced AuraDB; override it in the registry to charge an amortised share.</summary>
        public static class Query
        {
            /// <summary>The registry key.</summary>
            public const string Key = "neo4j.query";

            /// <summary>Price of one request: $0 (capacity-priced).</summary>
            public const decimal PerRequest = 0m;

            /// <summary>Price of 1,000 requests: $0 (capacity-priced).</summary>
            public const decimal Per1000 = 0m;
        }
    }
}
