namespace CostTracking.Firestore.Internal;

/// <summary>The documents and fields of session timeouts, retention, budgets, alerts and session re-pricing.</summary>
internal static partial class FirestoreLayout
{
    /// <summary>The root collection of budget documents: <c>CostBudgets/{userId}/months/{YYYY-MM}</c> and <c>CostBudgets/{userId}/alerts/{key}</c>.</summary>
    public const string CostBudgets = "CostBudgets";
    public const string Months = "months";
    public const string Alerts = "alerts";
    public const string RepricedMarker = "repriced";

    public static string RepricedPath(string userId, string sessionId) => $"{SessionPath(userId, sessionId)}/{State}/{RepricedMarker}";

    public static string BudgetPath(string userId, UsageMonth month) => $"{CostBudgets}/{userId}/{Months}/{month}";

    public static string AlertPath(string userId, string alertKey) => $"{CostBudgets}/{userId}/{Alerts}/{alertKey}";

    /// <summary>Every marker document a session may have under <c>state</c>; retention deletes them with the session.</summary>
    public static readonly string[] StateMarkers = [CloseMarker, RepricedMarker];

    /// <summary>Fields a session pricing policy adds to a re-priced step (its document and its inline copy).</summary>
    public static partial class Op
    {
        public const string OriginalCost = "originalCost";
        public const string OriginalCostNanos = "originalCostNanos";
        public const string PriceKey = "priceKey";

        /// <summary>The applied price's effective date, a string <c>YYYY-MM-DD</c> (a day, not an instant).</summary>
        public const string PriceEffectiveDate = "priceEffectiveDate";

        /// <summary>The format of <see cref="PriceEffectiveDate"/>.</summary>
        public const string PriceEffectiveDateFormat = "yyyy-MM-dd";
    }

    /// <summary>Fields a session pricing policy adds to a re-priced session.</summary>
    public static partial class Session
    {
        public const string RepricedBy = "repricedBy";
        public const string RepricedAt = "repricedAt";
    }

    /// <summary>Fields of the re-pricing marker, <c>…/sessions/{s}/state/repriced</c>, and of the close marker when the idle sweep wrote it.</summary>
    public static class Marker
    {
        public const string Policy = "policy";
        public const string RepricedAt = "repricedAt";
        public const string StepCount = "stepCount";
        public const string DeltaNanos = "deltaNanos";
        public const string WriteToken = "writeToken";
    }

    /// <summary>Fields of a budget document, <c>CostBudgets/{userId}/months/{YYYY-MM}</c>.</summary>
    public static class Budget
    {
        public const string UserId = "userId";
        public const string Month = "month";
        public const string Reservations = "reservations";
        public const string UpdatedAt = "updatedAt";

        // One reservation: reservations.{reservationId}.
        public const string CostNanos = "costNanos";
        public const string Cost = "cost";
        public const string Runs = "runs";
        public const string ExpiresAt = "expiresAt";
        public const string WriteToken = "writeToken";
    }

    /// <summary>Fields of an alert mark, <c>CostBudgets/{userId}/alerts/{key}</c>.</summary>
    public static class Alert
    {
        public const string UserId = "userId";
        public const string AlertKey = "alertKey";
        public const string RaisedAt = "raisedAt";
        public const string WriteToken = "writeToken";
    }
}
