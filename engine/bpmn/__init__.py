"""The only package that imports SpiffWorkflow: loading, sandboxed running, serializing and projecting BPMN."""
