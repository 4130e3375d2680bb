// The Driver stage; see Package.swift for its place in the pipeline.
