//! The engine's error: Go's texts byte for byte, with the parts kept apart.

use std::fmt;
use std::rc::Rc;

use crate::parse::ParseError;

/// What failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Parsing failed: `template: NAME:LINE: MSG`.
    Parse,
    /// Execution failed (Go's `ExecError`): `template: NAME:LINE:COL: executing "NAME" at
    /// <NODE>: MSG`.
    Exec,
    /// `execute` was asked for a name the set does not have (Go's `ExecuteTemplate` error, which is
    /// not an `ExecError`): `template: no template "x" associated with template "gotpl"`.
    NoTemplate,
    /// An option string Go's `Template.Option` would reject (Go panics).
    Option,
}

/// An error from parsing or executing a template. `Display` prints Go's message exactly.
#[derive(Debug, Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Debug, Clone)]
struct Inner {
    kind: ErrorKind,
    template: String,
    file: String,
    line: usize,
    col: Option<usize>,
    context: Option<String>,
    message: String,
    display: String,
    source: Option<Rc<dyn std::error::Error + 'static>>,
}

impl Error {
    /// An execution error at a node. `template` is the name of the executing template, `file` the
    /// name of the file its tree was parsed from (Go's `ParseName`), `context` the node's text
    /// (Go's `Node.String()`, in full: Go 1.26 no longer truncates it).
    pub fn exec(
        template: &str,
        file: &str,
        line: usize,
        col: usize,
        context: &str,
        message: String,
        source: Option<Rc<dyn std::error::Error + 'static>>,
    ) -> Error {
        let context = context.to_string();
        let mut display = String::with_capacity(48 + message.len());
        display.push_str("template: ");
        display.push_str(file);
        display.push(':');
        display.push_str(&line.to_string());
        display.push(':');
        display.push_str(&col.to_string());
        display.push_str(": executing ");
        crate::gofmt::push_quoted(&mut display, template, false);
        display.push_str(" at <");
        display.push_str(&context);
        display.push_str(">: ");
        display.push_str(&message);
        Error::wrap(Inner {
            kind: ErrorKind::Exec,
            template: template.to_string(),
            file: file.to_string(),
            line,
            col: Some(col),
            context: Some(context),
            message,
            display,
            source,
        })
    }

    /// An execution error with no current node: `template: NAME: MSG`.
    pub fn exec_no_node(template: &str, message: String) -> Error {
        Error::wrap(Inner {
            kind: ErrorKind::Exec,
            template: template.to_string(),
            file: template.to_string(),
            line: 0,
            col: None,
            context: None,
            display: format!("template: {template}: {message}"),
            message,
            source: None,
        })
    }

    /// Go's `ExecuteTemplate` error for a name the set lacks.
    pub fn no_template(name: &str, set_name: &str) -> Error {
        let message = format!(
            "no template {} associated with template {}",
            crate::gofmt::quote(name),
            crate::gofmt::quote(set_name)
        );
        Error::wrap(Inner {
            kind: ErrorKind::NoTemplate,
            template: name.to_string(),
            file: String::new(),
            line: 0,
            col: None,
            context: None,
            display: format!("template: {message}"),
            message,
            source: None,
        })
    }

    pub(crate) fn option(message: String) -> Error {
        Error::wrap(Inner {
            kind: ErrorKind::Option,
            template: String::new(),
            file: String::new(),
            line: 0,
            col: None,
            context: None,
            display: message.clone(),
            message,
            source: None,
        })
    }

    /// What failed.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The name of the template that was executing (Go's `ExecError.Name`), or being parsed.
    pub fn template_name(&self) -> &str {
        &self.inner.template
    }

    /// The name of the file the failing node was parsed from (Go's `ParseName`; for a `define`
    /// this is the file that contained it).
    pub fn file(&self) -> &str {
        &self.inner.file
    }

    /// The line (1-based); 0 when unknown.
    pub fn line(&self) -> usize {
        self.inner.line
    }

    /// The byte column (0-based, as Go counts it) of an execution error.
    pub fn col(&self) -> Option<usize> {
        self.inner.col
    }

    /// `FILE:LINE:COL` (execution errors) or `FILE:LINE` (parse errors), as Go prints it.
    pub fn location(&self) -> String {
        match self.inner.col {
            Some(c) => format!("{}:{}:{}", self.inner.file, self.inner.line, c),
            None => format!("{}:{}", self.inner.file, self.inner.line),
        }
    }

    /// The node text shown in `at <...>` (Go's `Node.String()`).
    pub fn context(&self) -> Option<&str> {
        self.inner.context.as_deref()
    }

    /// The bare message, after Go's prefix (`error calling include: ...`, `map has no entry for key
    /// "x"`, a parse message).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The error a function returned when this error is `error calling NAME: ...` and the function
    /// attached a cause that is itself an engine error (a nested `include`/`tpl` execution).
    pub fn inner(&self) -> Option<&Error> {
        let mut cur: Option<&(dyn std::error::Error + 'static)> = self.inner.source.as_deref();
        while let Some(e) = cur {
            if let Some(inner) = e.downcast_ref::<Error>() {
                return Some(inner);
            }
            cur = e.source();
        }
        None
    }
}

impl Error {
    fn wrap(inner: Inner) -> Error {
        Error {
            inner: Box::new(inner),
        }
    }
}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Error::wrap(Inner {
            kind: ErrorKind::Parse,
            template: e.name().to_string(),
            file: e.name().to_string(),
            line: e.line(),
            col: None,
            context: None,
            message: e.message().to_string(),
            display: e.to_string(),
            source: None,
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.display)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_deref()
    }
}
