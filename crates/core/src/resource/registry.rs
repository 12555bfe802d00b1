//! The macro behind the kind registry: from the one list of kinds in [`super`] it generates
//! everything that has to name every kind — [`super::ResourceKind`], [`super::AnyResource`],
//! [`super::ResourceSet`], the [`super::Resource`] implementations, the [`super::Project`] trait
//! that bundles one [`crate::port::ResourcePort`] per kind, and the dispatch from a kind tag to
//! the typed port call. Hand-written per-kind code lives in the kind's own module, behind
//! [`super::KindRules`].

/// Declares the kinds. Each entry reads
/// `Type { module: m, section: s, identity: field(f) | singleton, depends_on: [Kind, …],
/// list_all: one_call | per_item }`; the entries must come in dependency order (checked at
/// compile time).
macro_rules! declare_kinds {
    (@identity $self:ident, $module:ident, field($field:ident)) => {
        &$self.$field
    };
    (@identity $self:ident, $module:ident, singleton) => {
        stringify!($module)
    };
    (@identity_field field($field:ident)) => {
        Some(stringify!($field))
    };
    (@identity_field singleton) => {
        None
    };
    (@list_all one_call) => {
        $crate::resource::ListAll::OneCall
    };
    (@list_all per_item) => {
        $crate::resource::ListAll::PerItem
    };
    ($(
        $Kind:ident {
            module: $module:ident,
            section: $section:ident,
            identity: $identity:ident $(($field:ident))?,
            depends_on: [$($Dependency:ident),* $(,)?],
            list_all: $list_all:ident $(,)?
        }
    ),+ $(,)?) => {
        $(
            mod $module;
            pub use $module::$Kind;
        )+

        /// A kind of resource. The declaration order is a dependency order: a kind comes after
        /// the kinds its resources name, so creates run in this order and deletes in reverse.
        /// Plans sort by it.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum ResourceKind {
            $($Kind),+
        }

        impl ResourceKind {
            /// Every kind, in dependency order.
            pub const ALL: [ResourceKind; [$(stringify!($Kind)),+].len()] =
                [$(Self::$Kind),+];

            /// The kind's name on the command line, in `--target KIND:ID` and in plan files.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$Kind => stringify!($module)),+
                }
            }

            /// The top-level key of the kind's list in the YAML configuration.
            pub const fn section(self) -> &'static str {
                match self {
                    $(Self::$Kind => stringify!($section)),+
                }
            }

            /// The field (in YAML and in the live state) that identifies a resource within its
            /// kind; `None` for a singleton kind, whose one resource is named after the kind.
            pub const fn identity_field(self) -> Option<&'static str> {
                match self {
                    $(Self::$Kind => declare_kinds!(@identity_field $identity $(($field))?)),+
                }
            }

            /// The kinds whose resources this kind's resources may name; they are created first
            /// and deleted last.
            pub const fn depends_on(self) -> &'static [ResourceKind] {
                match self {
                    $(Self::$Kind => &[$(Self::$Dependency),*]),+
                }
            }

            /// Whether listing every resource of the kind takes one API call.
            pub const fn list_all(self) -> ListAll {
                match self {
                    $(Self::$Kind => declare_kinds!(@list_all $list_all)),+
                }
            }

            /// Deletes one resource of this kind through its port.
            pub async fn delete_in<P: Project>(self, project: &P, id: &str) -> PortResult<()> {
                match self {
                    $(Self::$Kind => ResourcePort::<$Kind>::delete(project, id).await),+
                }
            }

            /// Whether this kind's port writes many resources in one call.
            pub fn batches_in<P: Project>(self, project: &P) -> bool {
                match self {
                    $(Self::$Kind => ResourcePort::<$Kind>::batches(project)),+
                }
            }

            /// Calls one write of this kind takes when nothing fails (see
            /// [`ResourcePort::write_calls`]); states of another kind count as absent.
            pub fn write_calls_in<P: Project>(
                self,
                project: &P,
                before: Option<&AnyResource>,
                after: Option<&AnyResource>,
            ) -> u64 {
                match self {
                    $(Self::$Kind => ResourcePort::<$Kind>::write_calls(
                        project,
                        before.and_then(<$Kind as Resource>::from_any_ref),
                        after.and_then(<$Kind as Resource>::from_any_ref),
                    )),+
                }
            }

            /// Creates (or, with `update`, overwrites) `resources` through one batch call of
            /// this kind's port; one outcome per resource. A resource of another kind fails
            /// without being sent.
            pub async fn upsert_batch_in<P: Project>(
                self,
                project: &P,
                resources: &[&AnyResource],
                update: bool,
            ) -> Vec<PortResult<()>> {
                match self {
                    $(Self::$Kind => {
                        let typed: Option<Vec<&$Kind>> = resources
                            .iter()
                            .map(|any| <$Kind as Resource>::from_any_ref(any))
                            .collect();
                        let Some(typed) = typed else {
                            return resources
                                .iter()
                                .map(|_| Err(crate::port::PortError::new(
                                    crate::port::PortErrorKind::Other,
                                    concat!("a batch of ", stringify!($module), "s holds another kind"),
                                )))
                                .collect();
                        };
                        if update {
                            ResourcePort::<$Kind>::update_batch(project, &typed).await
                        } else {
                            ResourcePort::<$Kind>::create_batch(project, &typed).await
                        }
                    }),+
                }
            }

            /// Deletes resources of this kind by identity through one batch call of its port.
            pub async fn delete_batch_in<P: Project>(
                self,
                project: &P,
                ids: &[&str],
            ) -> Vec<PortResult<()>> {
                match self {
                    $(Self::$Kind => ResourcePort::<$Kind>::delete_batch(project, ids).await),+
                }
            }

            /// Reads one resource of this kind back through its port.
            pub async fn load_in<P: Project>(
                self,
                project: &P,
                id: &str,
            ) -> PortResult<Option<AnyResource>> {
                Ok(match self {
                    $(Self::$Kind => ResourcePort::<$Kind>::load(project, id)
                        .await?
                        .map(|resource| AnyResource::$Kind(Box::new(resource)))),+
                })
            }
        }

        // A kind may only depend on kinds declared before it: that is what makes the
        // declaration order a valid create order.
        const _: () = {
            let mut index = 0;
            while index < ResourceKind::ALL.len() {
                let kind = ResourceKind::ALL[index];
                let dependencies = kind.depends_on();
                let mut dependency = 0;
                while dependency < dependencies.len() {
                    assert!(
                        (dependencies[dependency] as usize) < (kind as usize),
                        "a kind must be declared after every kind it depends on"
                    );
                    dependency += 1;
                }
                index += 1;
            }
        };

        /// Any resource, tagged with its kind: what a plan stores as before/after states and
        /// what a backup records.
        // Boxed: a plan holds up to two per change, and a tenant is 352 bytes inline. Unboxed,
        // every change of a 100,000-tenant plan carried room for two tenants whatever it held.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum AnyResource {
            $($Kind(Box<$Kind>)),+
        }

        impl AnyResource {
            pub fn kind(&self) -> ResourceKind {
                match self {
                    $(Self::$Kind(_) => ResourceKind::$Kind),+
                }
            }

            pub fn identity(&self) -> &str {
                match self {
                    $(Self::$Kind(resource) => resource.identity()),+
                }
            }

            pub fn reference(&self) -> ResourceRef {
                ResourceRef::new(self.kind(), self.identity())
            }

            pub fn normalized(self) -> Self {
                match self {
                    $(Self::$Kind(resource) => Self::$Kind(Box::new(resource.normalize()))),+
                }
            }

            /// The other resources this one names, which must exist before it.
            pub fn references(&self) -> Vec<ResourceRef> {
                match self {
                    $(Self::$Kind(resource) => resource.references()),+
                }
            }

            /// Whether Descope made this resource itself (a built-in role or permission).
            pub fn is_system_default(&self) -> bool {
                match self {
                    $(Self::$Kind(resource) => resource.is_system_default()),+
                }
            }

            /// [`KindRules::carry_unmanaged`] across the tag; a `live` of another kind changes
            /// nothing.
            pub fn carry_unmanaged(self, live: &AnyResource) -> Self {
                match (self, live) {
                    $((Self::$Kind(desired), Self::$Kind(live)) =>
                        Self::$Kind(Box::new(desired.carry_unmanaged(live))),)+
                    #[allow(unreachable_patterns)]
                    (desired, _) => desired,
                }
            }

            /// The state without the kind tag, as a JSON object (what backups store under
            /// `state`).
            pub fn state_json(&self) -> serde_json::Value {
                let value = match self {
                    $(Self::$Kind(resource) => serde_json::to_value(resource)),+
                };
                // Serialising these plain structs (string keys) cannot fail.
                value.unwrap_or(serde_json::Value::Null)
            }

            /// The inverse of [`Self::state_json`].
            pub fn from_state(
                kind: ResourceKind,
                state: serde_json::Value,
            ) -> Result<Self, serde_json::Error> {
                Ok(match kind {
                    $(ResourceKind::$Kind => Self::$Kind(Box::new(serde_json::from_value(state)?))),+
                })
            }

            /// Creates this resource through its kind's port.
            pub async fn create_in<P: Project>(&self, project: &P) -> PortResult<()> {
                match self {
                    $(Self::$Kind(resource) =>
                        ResourcePort::<$Kind>::create(project, resource).await),+
                }
            }

            /// Overwrites this resource through its kind's port.
            pub async fn update_in<P: Project>(&self, project: &P) -> PortResult<()> {
                match self {
                    $(Self::$Kind(resource) =>
                        ResourcePort::<$Kind>::update(project, resource).await),+
                }
            }

            /// Overwrites this resource through its kind's port, telling it the `live` state
            /// the plan read (a `live` of another kind is ignored).
            pub async fn update_from_in<P: Project>(
                &self,
                project: &P,
                live: &AnyResource,
            ) -> PortResult<()> {
                match (self, live) {
                    $((Self::$Kind(resource), Self::$Kind(live)) =>
                        ResourcePort::<$Kind>::update_from(project, live, resource).await,)+
                    #[allow(unreachable_patterns)]
                    (desired, _) => desired.update_in(project).await,
                }
            }
        }

        /// A set of resources of every kind, one list per kind named after its YAML section:
        /// the desired state (built from config) or the live state (read through the ports).
        /// Order inside each list does not matter to the planner.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct ResourceSet {
            $(pub $section: Vec<$Kind>),+
        }

        impl ResourceSet {
            pub fn push(&mut self, resource: AnyResource) {
                match resource {
                    $(AnyResource::$Kind(resource) => self.$section.push(*resource)),+
                }
            }

            /// Every resource, tagged with its kind, in kind order then list order.
            pub fn iter_any(&self) -> impl Iterator<Item = AnyResource> + '_ {
                std::iter::empty()
                    $(.chain(self.$section.iter().map(|resource| AnyResource::$Kind(Box::new(resource.clone())))))+
            }

            /// The reference of every resource with its index in its kind's list, without
            /// cloning.
            pub fn references(&self) -> impl Iterator<Item = (ResourceRef, usize)> + '_ {
                std::iter::empty()
                    $(.chain(self.$section.iter().enumerate().map(|(index, resource)| {
                        (ResourceRef::new(ResourceKind::$Kind, resource.identity()), index)
                    })))+
            }

            /// The resource at `index` of `kind`'s list, tagged. Panics on a bad index
            /// (internal use).
            pub(crate) fn get_any(&self, kind: ResourceKind, index: usize) -> AnyResource {
                match kind {
                    $(ResourceKind::$Kind => AnyResource::$Kind(Box::new(self.$section[index].clone()))),+
                }
            }

            pub fn len(&self) -> usize {
                0 $(+ self.$section.len())+
            }

            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
        }

        $(
            impl Resource for $Kind {
                const KIND: ResourceKind = ResourceKind::$Kind;

                fn identity(&self) -> &str {
                    declare_kinds!(@identity self, $module, $identity $(($field))?)
                }

                fn into_any(self) -> AnyResource {
                    AnyResource::$Kind(Box::new(self))
                }

                fn from_any(any: AnyResource) -> Option<Self> {
                    match any {
                        AnyResource::$Kind(resource) => Some(*resource),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }

                fn from_any_ref(any: &AnyResource) -> Option<&Self> {
                    match any {
                        AnyResource::$Kind(resource) => Some(resource),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }

                fn of(set: &ResourceSet) -> &Vec<Self> {
                    &set.$section
                }

                fn of_mut(set: &mut ResourceSet) -> &mut Vec<Self> {
                    &mut set.$section
                }
            }
        )+

        /// A Descope project as the planner and apply engine reach it: a port for every kind.
        /// Generic rather than `dyn` because the port traits return `impl Future`.
        pub trait Project: Send + Sync $(+ ResourcePort<$Kind>)+ {}

        impl<T: Send + Sync $(+ ResourcePort<$Kind>)+> Project for T {}

        /// Calls `visitor` once per kind, in dependency order, with the kind's type: how generic
        /// code (the planner, the built-in filter) walks every kind without naming one.
        pub fn visit_kinds(visitor: &mut impl KindVisitor) {
            $(visitor.visit::<$Kind>();)+
        }

        /// Reads the live state of the given kinds (one list per kind, concurrently); the
        /// others stay empty.
        pub async fn read_kinds<P: Project>(
            project: &P,
            kinds: &[ResourceKind],
        ) -> PortResult<ResourceSet> {
            let ($($section,)+) = futures::try_join!($(
                async {
                    if kinds.contains(&ResourceKind::$Kind) {
                        ResourcePort::<$Kind>::list(project).await
                    } else {
                        Ok(Vec::new())
                    }
                }
            ),+)?;
            Ok(ResourceSet { $($section),+ })
        }

        /// The desired state of every kind from an environment's view of the configuration.
        pub fn desired_from(config: &DescopeConfig) -> ResourceSet {
            ResourceSet {
                $($section: <$Kind as KindRules>::desired(config)),+
            }
        }
    };
}
