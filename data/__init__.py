"""Sample data: the Jingzhou District outline and synthetic demo and benchmark layers."""
