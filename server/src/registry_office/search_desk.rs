//! Search through the registry office: every role searches, and a farmer's search is
//! limited to the animals of their own clients here, never by the browser.
use super::{read_failed, RegistryOffice};
use crate::technical_failure::unavailable;
use app::model::{CommandFailure, SearchRequest, SearchResults, SignedInUser};

impl RegistryOffice {
    /// The animals matching `request` among those `user` may see.
    pub async fn search_herd(
        &self,
        user: &SignedInUser,
        request: &SearchRequest,
    ) -> Result<SearchResults, CommandFailure> {
        let visible = self.visible_clients(user).await.map_err(read_failed)?;
        let found = self.search.search(request, visible.as_deref());
        crate::telemetry::timed_read(self.search.kind(), "search", found)
            .await
            .map_err(|error| unavailable("The search index could not be read", error))
    }
}
